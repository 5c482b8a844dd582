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
