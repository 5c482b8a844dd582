using ARSoft.Tools.Net;
using Registry.Core.View;

namespace Registry.Server.Dns;

/// <summary>
/// Everything the facade serves for one <see cref="ViewSnapshot"/>, by name: each zone file's records as BIND would
/// serve them, with the SRV sets of hybrid and dynamic services replaced by their merged answers, the A/AAAA records
/// registrations give to instance targets and service names, and the SOA (with the view's serial) and NS of every
/// served zone. Built once per snapshot (see <see cref="Build"/>), immutable, and read without locks; every lookup is a
/// hash probe per label at most.
/// </summary>
internal sealed partial class DnsZoneIndex
{
    /// <summary>The wildcard label alone, to prefix closest enclosers with.</summary>
    private static readonly DomainName Asterisk = new(["*"]);

    private readonly Dictionary<DomainName, DnsZone> _zones;
    private readonly Dictionary<DomainName, DnsNode> _nodes;

    /// <summary>The names the build made from the view's strings, for the next build to reuse.</summary>
    private readonly Dictionary<string, DomainName?> _names;

    private DnsZoneIndex(ViewSnapshot view, Dictionary<DomainName, DnsZone> zones, Dictionary<DomainName, DnsNode> nodes, Dictionary<string, DomainName?> names)
    {
        View = view;
        _zones = zones;
        _nodes = nodes;
        _names = names;
    }

    /// <summary>The snapshot the index was built from; the responder rebuilds when a query comes with another.</summary>
    public ViewSnapshot View { get; }

    /// <summary>Every served zone.</summary>
    public IReadOnlyCollection<DnsZone> Zones => _zones.Values;

    /// <summary>The number of names (with empty non-terminals), for tests and metrics.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>The most specific served zone containing <paramref name="name"/>, or null when none does.</summary>
    public DnsZone? FindZone(DomainName name)
    {
        if (_zones.Count == 0)
        {
            return null;
        }

        // DomainName compares and hashes case-insensitively, so the question's spelling is looked up as it came.
        for (var candidate = name; ; candidate = candidate.GetParentName())
        {
            if (_zones.TryGetValue(candidate, out var zone))
            {
                return zone;
            }

            if (candidate.LabelCount == 0)
            {
                return null;
            }
        }
    }

    /// <summary>The node named exactly <paramref name="name"/>, or null when the name does not exist.</summary>
    public DnsNode? Find(DomainName name) => _nodes.GetValueOrDefault(name);

    /// <summary>
    /// The highest zone cut strictly below <paramref name="zone"/>'s apex at or above <paramref name="name"/>, or null:
    /// the delegation whose referral answers for the name (RFC 1034 §4.3.2 step 3b).
    /// </summary>
    public DnsNode? FindCut(DomainName name, DnsZone zone)
    {
        if (!zone.HasDelegations)
        {
            return null;
        }

        DnsNode? cut = null;
        for (var candidate = name; candidate.LabelCount > zone.Origin.LabelCount; candidate = candidate.GetParentName())
        {
            if (_nodes.TryGetValue(candidate, out var node) && node.IsDelegation)
            {
                cut = node;
            }
        }

        return cut;
    }

    /// <summary>
    /// The wildcard node that answers for <paramref name="name"/>, a name that does not exist in
    /// <paramref name="zone"/>: <c>*.&lt;closest encloser&gt;</c> when it exists (RFC 4592 §3.3.1), else null.
    /// </summary>
    public DnsNode? FindWildcard(DomainName name, DnsZone zone)
    {
        if (!zone.HasWildcards)
        {
            return null;
        }

        // The closest encloser is the longest existing ancestor; the apex always exists, so the walk ends there.
        for (var candidate = name.GetParentName(); candidate.LabelCount >= zone.Origin.LabelCount; candidate = candidate.GetParentName())
        {
            if (_nodes.ContainsKey(candidate))
            {
                return _nodes.GetValueOrDefault(Asterisk + candidate);
            }
        }

        return null;
    }
}
