using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.View;

/// <summary>
/// The whole view every front end answers from (DESIGN §6): every service merged from intent (zone files) and reality
/// (registrations), the revision that orders snapshots, and the SOA serial to publish per zone. Immutable, so the
/// server swaps a new one in atomically and readers never lock.
/// </summary>
/// <remarks>
/// <para>
/// Registrations apply only to the default zone: a service declared in another zone is static whatever is
/// registered, and a registered service the default zone does not declare is published there as dynamic.
/// </para>
/// <para>
/// Built from the previous snapshot, a snapshot costs what changed, not what exists: a service whose inputs are the
/// same objects as last time (declaration, registration list, policy) keeps its merged result and fingerprint, and
/// only the zones holding a changed service are fingerprinted again. The result is the same as a build from scratch.
/// </para>
/// </remarks>
public sealed partial class ViewSnapshot
{
    private const string DefaultProtocol = "tcp";

    /// <summary>Every service with its inputs and fingerprint, in <see cref="Services"/> order.</summary>
    private readonly ServiceEntry[] _entries;
    private readonly MergedService[] _services;
    private readonly ImmutableDictionary<string, ServiceEntry> _bySrvName;
    private readonly Dictionary<string, uint> _serials;
    private readonly Dictionary<string, byte[]> _zoneFingerprints;
    private readonly Dictionary<string, uint> _declaredSerials;

    // The inputs, kept so that the next snapshot can tell what changed.
    private readonly ZoneCache _zoneCache;
    private readonly IReadOnlyDictionary<ServiceName, IReadOnlyList<ServiceInstance>> _registrations;
    private readonly MergePolicy _policy;

    /// <summary>Builds a snapshot.</summary>
    /// <param name="zones">The zone files' intent.</param>
    /// <param name="registrations">What ZooKeeper holds.</param>
    /// <param name="defaultZone">The zone registered services are published in (trailing dot optional).</param>
    /// <param name="policy">The merge policy of every service.</param>
    /// <param name="stale">True when the registrations are frozen because the ZooKeeper session is disconnected.</param>
    /// <param name="previous">
    /// The snapshot published before this one, if any: a zone whose answers did not change keeps its serial, one whose
    /// answers changed gets <see cref="NextSerial"/>. Without it, each zone starts at its declared serial. It also
    /// makes the build incremental: the services whose inputs are the same objects as in <paramref name="previous"/>
    /// are not merged again.
    /// </param>
    /// <param name="timeProvider">The clock for <see cref="CreatedAt"/>; the system clock when null.</param>
    /// <param name="restoredSerials">
    /// Serials published by an earlier run of the server (zone origin → serial), for zones that
    /// <paramref name="previous"/> does not publish: such a zone gets <see cref="NextSerial"/> of the restored serial
    /// and its declared one, so a restart never serves a serial lower than what secondaries already hold, and bumps it
    /// once because what the zone answers may have changed while the server was down.
    /// </param>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="previous"/>, <paramref name="timeProvider"/> or <paramref name="restoredSerials"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="defaultZone"/> is empty.</exception>
    public ViewSnapshot(
        ZoneSet zones,
        RegistrationState registrations,
        string defaultZone,
        MergePolicy policy,
        bool stale,
        ViewSnapshot? previous = null,
        TimeProvider? timeProvider = null,
        IReadOnlyDictionary<string, uint>? restoredSerials = null)
        : this(zones, registrations, defaultZone, policy, stale, previous, timeProvider, publishDefaultZone: true, restoredSerials)
    {
    }

    private ViewSnapshot(
        ZoneSet zones,
        RegistrationState registrations,
        string defaultZone,
        MergePolicy policy,
        bool stale,
        ViewSnapshot? previous,
        TimeProvider? timeProvider,
        bool publishDefaultZone,
        IReadOnlyDictionary<string, uint>? restoredSerials = null)
    {
        ArgumentNullException.ThrowIfNull(zones);
        ArgumentNullException.ThrowIfNull(registrations);
        ArgumentException.ThrowIfNullOrEmpty(defaultZone);
        ArgumentNullException.ThrowIfNull(policy);

        DefaultZone = Absolute(defaultZone);
        Stale = stale;
        CreatedAt = (timeProvider ?? TimeProvider.System).GetUtcNow();
        _policy = policy;
        _registrations = registrations.Services;
        _zoneCache = ZoneCache.For(zones, DefaultZone, previous?._zoneCache);

        var contents = (previous is null ? null : BuildOn(previous)) ?? BuildAll(previous);
        _entries = contents.Entries;
        _services = contents.Services;
        _bySrvName = contents.BySrvName;
        Degraded = contents.Degraded;
        ServiceCount = contents.Services.Length;
        InstanceCount = contents.InstanceCount;
        EndpointCount = contents.EndpointCount;
        Revision = new ViewRevision(registrations.Zxid, _zoneCache.ZoneSerials, _zoneCache.ZoneDigest);

        _declaredSerials = new Dictionary<string, uint>(_zoneCache.DeclaredSerials, StringComparer.OrdinalIgnoreCase);
        if (publishDefaultZone && !_declaredSerials.ContainsKey(DefaultZone))
        {
            // A default zone without a zone file is wholly dynamic; 1 is where a fresh zone's serial starts.
            _declaredSerials[DefaultZone] = 1;
        }

        _zoneFingerprints = new Dictionary<string, byte[]>(StringComparer.OrdinalIgnoreCase);
        _serials = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, uint>? restored = null;
        foreach (var (origin, serial) in restoredSerials ?? new Dictionary<string, uint>())
        {
            (restored ??= new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase))[Absolute(origin)] = serial;
        }

        foreach (var (origin, declared) in _declaredSerials)
        {
            // A zone none of whose services changed answers what it answered: its fingerprint is carried over.
            var fingerprint = contents.DirtyZones is { } dirty && !dirty.Contains(origin) && previous!._zoneFingerprints.TryGetValue(origin, out var kept)
                ? kept
                : ZoneFingerprint(origin);
            _zoneFingerprints[origin] = fingerprint;
            _serials[origin] = previous is not null && previous._serials.TryGetValue(origin, out var published)
                ? previous._declaredSerials[origin] == declared && previous._zoneFingerprints[origin].AsSpan().SequenceEqual(fingerprint)
                    ? published
                    : NextSerial(published, declared)
                : restored is not null && restored.TryGetValue(origin, out var before)
                    ? NextSerial(before, declared)
                    : declared;
        }

        Origins = [.. _serials.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>No zones, no registrations: what is served before the first view is built.</summary>
    public static ViewSnapshot Empty { get; } = new(ZoneSet.Empty, RegistrationState.Empty, ".", MergePolicy.Default, stale: false, previous: null, timeProvider: null, publishDefaultZone: false);

    /// <summary>
    /// The zone files this snapshot was built from. Front ends that serve zone records (DNS) read them from here, never
    /// from a separately swapped copy, so one answer never mixes two generations.
    /// </summary>
    public ZoneSet Zones => _zoneCache.Zones;

    /// <summary>The zone registered services are published in: absolute, lower case, with the trailing dot.</summary>
    public string DefaultZone { get; }

    /// <summary>One merged service per (zone, service, protocol), ordered by zone, service name, then protocol.</summary>
    public IReadOnlyList<MergedService> Services => _services;

    /// <summary>The services whose panic floor made them serve their declared set (DESIGN §5).</summary>
    public IReadOnlyList<MergedService> Degraded { get; }

    /// <summary>Orders snapshots; equal inputs give equal revisions on every server (see <see cref="ViewRevision"/>).</summary>
    public ViewRevision Revision { get; }

    /// <summary>True when the registrations are the last ones seen before the ZooKeeper session was lost (DESIGN §6).</summary>
    public bool Stale { get; }

    /// <summary>When the snapshot was built.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Every zone with a published SOA serial (absolute, lower case, trailing dot), in ordinal order.</summary>
    public IReadOnlyList<string> Origins { get; }

    /// <summary>The number of services (<see cref="Services"/>), for metrics.</summary>
    public int ServiceCount { get; }

    /// <summary>The number of registrations, for metrics.</summary>
    public int InstanceCount { get; }

    /// <summary>The number of endpoints in answers, over every service, for metrics.</summary>
    public int EndpointCount { get; }

    /// <summary>
    /// The serial that follows <paramref name="previous"/> (the one last published) and accounts for
    /// <paramref name="declared"/> (the zone file's): the declared serial when it is greater than the previous one in
    /// RFC 1982 arithmetic, so an author's scheme (e.g. <c>YYYYMMDDnn</c>) is kept; else <paramref name="previous"/> + 1,
    /// wrapping at 2^32. The result is always greater than <paramref name="previous"/>, and greater than
    /// <paramref name="declared"/> too unless no serial can be: when <paramref name="previous"/> is 2^31 - 1 or 2^31
    /// ahead of <paramref name="declared"/>, in which case the previous serial wins, because that is what secondaries hold.
    /// </summary>
    public static uint NextSerial(uint previous, uint declared) =>
        IsSerialGreater(declared, previous) ? declared : unchecked(previous + 1);

    /// <summary>RFC 1982 §3.2: <paramref name="s1"/> &gt; <paramref name="s2"/> for 32-bit serials.</summary>
    /// <remarks>Serials exactly 2^31 apart are not comparable: neither is greater.</remarks>
    public static bool IsSerialGreater(uint s1, uint s2)
    {
        const uint Half = 1u << 31;
        return (s1 < s2 && s2 - s1 > Half) || (s1 > s2 && s1 - s2 < Half);
    }

    /// <summary>The SOA serial to publish for zone <paramref name="origin"/> (trailing dot optional).</summary>
    /// <exception cref="ArgumentException">The snapshot publishes no zone <paramref name="origin"/>.</exception>
    public uint Serial(string origin)
    {
        ArgumentNullException.ThrowIfNull(origin);
        return _serials.TryGetValue(Absolute(origin), out var serial)
            ? serial
            : throw new ArgumentException($"zone {origin} is not in the view", nameof(origin));
    }

    /// <summary>The service <c>_service._protocol</c> of the default zone.</summary>
    /// <param name="service">The service name.</param>
    /// <param name="protocol">The protocol without its underscore (<c>tcp</c>, <c>udp</c>); case-insensitive.</param>
    /// <param name="merged">The service, when found.</param>
    /// <returns>True when the default zone publishes the service.</returns>
    public bool TryGetService(ServiceName service, string protocol, [MaybeNullWhen(false)] out MergedService merged)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var found = _bySrvName.TryGetValue($"_{service.Value}._{protocol}.{DefaultZone}", out var entry);
        merged = entry?.Merged;
        return found;
    }

    /// <summary>The service whose SRV owner name is <paramref name="fqdn"/> (e.g. <c>_web._tcp.svc.example.</c>), or null.</summary>
    /// <param name="fqdn">The owner name; case-insensitive, trailing dot optional.</param>
    public MergedService? FindBySrvName(string fqdn)
    {
        ArgumentNullException.ThrowIfNull(fqdn);
        return fqdn.Length == 0 ? null : _bySrvName.GetValueOrDefault(Absolute(fqdn))?.Merged;
    }

    private static string Absolute(string name) =>
        name == "." ? name : (name.EndsWith('.') ? name : name + ".").ToLowerInvariant();
}
