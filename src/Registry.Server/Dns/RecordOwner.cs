using System.Globalization;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>
/// A record under another owner name (what a wildcard answer is made of, RFC 4592 §3.4.1) or with another TTL (what
/// an RRset whose zone file lines disagree on the TTL is served with, RFC 2181 §5.2).
/// </summary>
internal static class RecordOwner
{
    /// <summary>
    /// <paramref name="record"/> with owner <paramref name="owner"/> and the same TTL and data. ARSoft records are
    /// immutable and have no copy-with-name, so the common types are built anew and any other goes through its
    /// master-file text, which ARSoft writes and reads for every type it knows (unknown ones as RFC 3597 <c>\#</c>).
    /// </summary>
    public static DnsRecordBase Rename(DnsRecordBase record, DomainName owner) => Copy(record, owner, record.TimeToLive);

    /// <summary><paramref name="record"/> with TTL <paramref name="ttl"/> and the same owner and data.</summary>
    public static DnsRecordBase WithTtl(DnsRecordBase record, int ttl) =>
        record.TimeToLive == ttl ? record : Copy(record, record.Name, ttl);

    private static DnsRecordBase Copy(DnsRecordBase record, DomainName owner, int ttl)
    {
        return record switch
        {
            ARecord a => new ARecord(owner, ttl, a.Address),
            AaaaRecord aaaa => new AaaaRecord(owner, ttl, aaaa.Address),
            CNameRecord cname => new CNameRecord(owner, ttl, cname.CanonicalName),
            SrvRecord srv => new SrvRecord(owner, ttl, srv.Priority, srv.Weight, srv.Port, srv.Target),
            MxRecord mx => new MxRecord(owner, ttl, mx.Preference, mx.ExchangeDomainName),
            PtrRecord ptr => new PtrRecord(owner, ttl, ptr.PointerDomainName),
            TxtRecord txt => new TxtRecord(owner, ttl, txt.TextParts),
            _ => ByText(record, owner, ttl),
        };
    }

    private static DnsRecordBase ByText(DnsRecordBase record, DomainName owner, int ttl)
    {
        // ToString is "<owner> <ttl> <class> <type> <rdata>": owner and TTL are swapped, the rest kept as ARSoft wrote it.
        var text = record.ToString();
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{record.Name} {record.TimeToLive} ");
        var rest = text.StartsWith(prefix, StringComparison.Ordinal) ? text[prefix.Length..] : throw new InvalidOperationException($"cannot copy record '{text}'");
        var master = string.Create(CultureInfo.InvariantCulture, $"{owner} {ttl} {rest}\n");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(master));
        return Zone.ParseMasterFile(DomainName.Root, stream).Single();
    }
}
