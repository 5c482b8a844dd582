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

    /// <summary>Gives every index a number, so that a cache can tell which index <see cref="ChangedNames"/> is relative to.</summary>
    private static long _generations;

    /// <summary>What an incremental build from this index needs; made on first use for a full build's index.</summary>
    private IncrementalState? _state;

    /// <summary>The TTL of the records made from registrations: an index of another TTL cannot be updated in place.</summary>
    private int _dynamicTtl;

    private DnsZoneIndex(ViewSnapshot view, Dictionary<DomainName, DnsZone> zones, Dictionary<DomainName, DnsNode> nodes, Dictionary<string, DomainName?> names)
        : this(view, zones, nodes, names, changedNames: null, baseGeneration: 0, state: null)
    {
    }

    private DnsZoneIndex(
        ViewSnapshot view,
        Dictionary<DomainName, DnsZone> zones,
        Dictionary<DomainName, DnsNode> nodes,
        Dictionary<string, DomainName?> names,
        IReadOnlySet<DomainName>? changedNames,
        long baseGeneration,
        IncrementalState? state)
    {
        View = view;
        _zones = zones;
        _nodes = nodes;
        _names = names;
        ChangedNames = changedNames;
        BaseGeneration = baseGeneration;
        _state = state;
        Generation = Interlocked.Increment(ref _generations);
    }

    /// <summary>The snapshot the index was built from: every answer from this index is of exactly that snapshot.</summary>
    public ViewSnapshot View { get; }

    /// <summary>Unique in the process and increasing: the order in which indexes were made.</summary>
    public long Generation { get; }

    /// <summary>
    /// The <see cref="Generation"/> of the index this one was built from incrementally, which <see cref="ChangedNames"/>
    /// is relative to; 0 for a full build.
    /// </summary>
    public long BaseGeneration { get; }

    /// <summary>
    /// The names whose answers may differ from the index of generation <see cref="BaseGeneration"/>, or null after a
    /// full build, meaning "anything may have changed".
    /// </summary>
    /// <remarks>
    /// <para>
    /// The set holds every name whose node differs from the base index's node (other RRsets, records, TTLs or order,
    /// or one of them missing: names that appeared or vanished, empty non-terminals included), and the apex of every
    /// zone whose SOA changed (its serial), even though that apex's other RRsets did not. Names are compared as
    /// <see cref="DomainName"/> does: case-insensitively.
    /// </para>
    /// <para>
    /// An answer cached from the base index may be served from this one unless one of these is in the set: its
    /// question name, or an ancestor of it below the zone apex (a name appearing there changes the closest encloser,
    /// so a wildcard or NXDOMAIN answer); the target of each CNAME it followed, or an ancestor of it below the apex; the
    /// owner name of any record in its answer, authority or additional sections (the apex, through the SOA, for every
    /// negative answer); and each SRV, MX and NS target in its answer or authority sections, whether or not the
    /// additional section had addresses for it (the target may have gained some). Zone cuts and wildcards come only
    /// from zone files, which an incremental build never changes.
    /// </para>
    /// </remarks>
    public IReadOnlySet<DomainName>? ChangedNames { get; }

    /// <summary>Every served zone.</summary>
    public IReadOnlyCollection<DnsZone> Zones => _zones.Values;

    /// <summary>The number of names (with empty non-terminals), for tests and metrics.</summary>
    public int NodeCount => _nodes.Count;

    /// <summary>Every node, in no particular order: for comparing indexes in tests.</summary>
    internal IEnumerable<DnsNode> AllNodes => _nodes.Values;

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
