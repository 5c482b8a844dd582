using System.Globalization;
using System.Text;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>A record under another owner name: what a wildcard answer is made of (RFC 4592 §3.4.1).</summary>
internal static class RecordOwner
{
    /// <summary>
    /// <paramref name="record"/> with owner <paramref name="owner"/> and the same TTL and data. ARSoft records are
    /// immutable and have no copy-with-name, so the common types are built anew and any other goes through its
    /// master-file text, which ARSoft writes and reads for every type it knows (unknown ones as RFC 3597 <c>\#</c>).
    /// </summary>
    public static DnsRecordBase Rename(DnsRecordBase record, DomainName owner)
    {
        var ttl = record.TimeToLive;
        return record switch
        {
            ARecord a => new ARecord(owner, ttl, a.Address),
            AaaaRecord aaaa => new AaaaRecord(owner, ttl, aaaa.Address),
            CNameRecord cname => new CNameRecord(owner, ttl, cname.CanonicalName),
            SrvRecord srv => new SrvRecord(owner, ttl, srv.Priority, srv.Weight, srv.Port, srv.Target),
            MxRecord mx => new MxRecord(owner, ttl, mx.Preference, mx.ExchangeDomainName),
            PtrRecord ptr => new PtrRecord(owner, ttl, ptr.PointerDomainName),
            TxtRecord txt => new TxtRecord(owner, ttl, txt.TextParts),
            _ => ByText(record, owner),
        };
    }

    private static DnsRecordBase ByText(DnsRecordBase record, DomainName owner)
    {
        // ToString is "<owner> <ttl> <class> <type> <rdata>": the owner is swapped, the rest kept as ARSoft wrote it.
        var text = record.ToString();
        var name = record.Name.ToString();
        var rest = text.StartsWith(name, StringComparison.Ordinal) ? text[name.Length..] : throw new InvalidOperationException($"cannot rename record '{text}'");
        var master = string.Create(CultureInfo.InvariantCulture, $"{owner}{rest}\n");
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(master));
        return Zone.ParseMasterFile(DomainName.Root, stream).Single();
    }
}
