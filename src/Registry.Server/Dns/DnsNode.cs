using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>
/// One name of a served zone with its RRsets. A node without RRsets is an empty non-terminal: a name that exists
/// because names below it do (RFC 4592 §2.2.2), so it answers NODATA rather than NXDOMAIN.
/// </summary>
internal sealed partial class DnsNode
{
    private readonly RecordType[] _types;
    private readonly DnsRecordBase[][] _sets;

    public DnsNode(DomainName name, DnsZone zone, RecordType[] types, DnsRecordBase[][] sets)
    {
        Name = name;
        Zone = zone;
        _types = types;
        _sets = sets;
        CName = Get(RecordType.CName);

        // NS records below the apex are a zone cut: the names at and under it belong to another zone (RFC 1034 §4.2.1).
        IsDelegation = !name.Equals(zone.Origin) && Get(RecordType.Ns) is not null;
    }

    /// <summary>A copy under another zone instance: nothing is looked up again (a snapshot re-wraps a whole zone).</summary>
    private DnsNode(DnsNode source, DnsZone zone)
    {
        Name = source.Name;
        Zone = zone;
        _types = source._types;
        _sets = source._sets;
        CName = source.CName;
        IsDelegation = source.IsDelegation;
    }

    public DomainName Name { get; }

    /// <summary>The zone the name is served from (the most specific one, when zones nest).</summary>
    public DnsZone Zone { get; }

    /// <summary>The CNAME RRset, if the name is an alias.</summary>
    public DnsRecordBase[]? CName { get; }

    public bool IsDelegation { get; }

    /// <summary>True for an empty non-terminal.</summary>
    public bool IsEmpty => _sets.Length == 0;

    /// <summary>The first RRset in zone file order (then the registrations' ones): the one a minimal ANY answer carries.</summary>
    public DnsRecordBase[]? First => _sets.Length == 0 ? null : _sets[0];

    /// <summary>The RRsets in order, for comparing indexes (tests) and deciding whether a rebuilt name changed.</summary>
    internal IEnumerable<(RecordType Type, DnsRecordBase[] Records)> SetsByType => _types.Zip(_sets);

    /// <summary>
    /// The same name and RRsets under another <see cref="DnsZone"/> instance of the same zone: what an incremental
    /// build keeps for a name that did not change in a zone whose SOA did (the arrays are shared, not copied).
    /// </summary>
    internal DnsNode WithZone(DnsZone zone) => new(this, zone);

    /// <summary>True when <paramref name="other"/> serves exactly the same RRsets, record for record, in the same order.</summary>
    internal bool SameContent(DnsNode other)
    {
        if (_types.Length != other._types.Length)
        {
            return false;
        }

        for (var i = 0; i < _types.Length; i++)
        {
            if (_types[i] != other._types[i] || _sets[i].Length != other._sets[i].Length)
            {
                return false;
            }

            for (var j = 0; j < _sets[i].Length; j++)
            {
                // ToString is owner, TTL, class, type and data: ARSoft's Equals is not documented to include the TTL.
                var (a, b) = (_sets[i][j], other._sets[i][j]);
                if (!ReferenceEquals(a, b) && !string.Equals(a.ToString(), b.ToString(), StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>The RRset of <paramref name="type"/>, or null.</summary>
    public DnsRecordBase[]? Get(RecordType type)
    {
        // Names hold a handful of types: a scan beats hashing.
        for (var i = 0; i < _types.Length; i++)
        {
            if (_types[i] == type)
            {
                return _sets[i];
            }
        }

        return null;
    }
}
