using Registry.Core.Names;

namespace Registry.Core.Zones;

/// <summary>
/// Every zone of a zones directory (see <see cref="ZoneLoader"/>) with lookups by service and by name. Immutable, so
/// a reload builds a new set and swaps it whole (STYLE principle 12).
/// </summary>
public sealed class ZoneSet
{
    private readonly Dictionary<string, ZoneIntent> _byOrigin;
    private readonly Dictionary<(string Service, string Protocol, string Zone), DeclaredService> _services;

    /// <summary>Builds a set from zones already loaded.</summary>
    /// <exception cref="ArgumentException">Two zones have the same origin.</exception>
    public ZoneSet(IEnumerable<ZoneIntent> zones)
    {
        ArgumentNullException.ThrowIfNull(zones);
        Zones = zones.OrderBy(z => z.Origin, StringComparer.Ordinal).ToArray();
        _byOrigin = new Dictionary<string, ZoneIntent>(StringComparer.OrdinalIgnoreCase);
        _services = [];
        foreach (var zone in Zones)
        {
            if (!_byOrigin.TryAdd(Normalize(zone.Origin), zone))
            {
                throw new ArgumentException($"zone {zone.Origin} is in both {_byOrigin[Normalize(zone.Origin)].File} and {zone.File}", nameof(zones));
            }

            foreach (var service in zone.Services)
            {
                _services[Key(service.Service, service.Protocol, service.Zone)] = service;
            }
        }

        Services = Zones.SelectMany(z => z.Services).ToArray();
    }

    /// <summary>An empty set (no zones directory configured).</summary>
    public static ZoneSet Empty { get; } = new([]);

    /// <summary>The zones, ordered by origin.</summary>
    public IReadOnlyList<ZoneIntent> Zones { get; }

    /// <summary>Every declared service of every zone.</summary>
    public IReadOnlyList<DeclaredService> Services { get; }

    /// <summary>The service declared as <c>_service._protocol.zone</c>, or null. Names compare case-insensitively.</summary>
    /// <param name="service">The service name.</param>
    /// <param name="protocol">The protocol without its underscore (<c>tcp</c>, <c>udp</c>).</param>
    /// <param name="zone">The zone's origin; the trailing dot is optional.</param>
    public DeclaredService? FindService(ServiceName service, string protocol, string zone)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        ArgumentNullException.ThrowIfNull(zone);
        return _services.GetValueOrDefault(Key(service, protocol, zone));
    }

    /// <summary>The zone whose origin is exactly <paramref name="origin"/> (trailing dot optional), or null.</summary>
    public ZoneIntent? GetZone(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return _byOrigin.GetValueOrDefault(Normalize(origin));
    }

    /// <summary>
    /// The zone that contains <paramref name="name"/>: the one with the longest origin that is <paramref name="name"/>
    /// or a parent of it (label-wise: <c>xsvc.example.</c> is not in <c>svc.example.</c>), or null when none does.
    /// </summary>
    /// <param name="name">A domain name in presentation form; case-insensitive, trailing dot optional.</param>
    public ZoneIntent? FindZone(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var candidate = Normalize(name);
        while (true)
        {
            if (_byOrigin.TryGetValue(candidate, out var zone))
            {
                return zone;
            }

            if (candidate == ".")
            {
                return null;
            }

            var dot = NextLabelEnd(candidate);
            candidate = dot + 1 >= candidate.Length ? "." : candidate[(dot + 1)..];
        }
    }

    private static int NextLabelEnd(string name)
    {
        // A dot escaped as "\." belongs to the label, so skip escapes when looking for the separator.
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '\\')
            {
                i++;
            }
            else if (name[i] == '.')
            {
                return i;
            }
        }

        return name.Length;
    }

    private static (string, string, string) Key(ServiceName service, string protocol, string zone) =>
        (service.Value.ToUpperInvariant(), protocol.ToUpperInvariant(), Normalize(zone).ToUpperInvariant());

    private static string Normalize(string name)
    {
        if (name.Length == 0 || name == ".")
        {
            return ".";
        }

        return name.EndsWith('.') ? name : name + ".";
    }
}
