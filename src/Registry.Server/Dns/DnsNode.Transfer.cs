using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>Every RRset of a name, for zone transfers.</summary>
internal sealed partial class DnsNode
{
    /// <summary>The name's RRsets in the order the index made them (zone file first, then the registrations').</summary>
    public IReadOnlyList<DnsRecordBase[]> Sets => _sets;
}
