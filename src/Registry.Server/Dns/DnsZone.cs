using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>One zone the facade is authoritative for, as a <see cref="DnsZoneIndex"/> serves it.</summary>
internal sealed class DnsZone
{
    public DnsZone(DomainName origin, SoaRecord soa, DnsRecordBase[] nameServers, bool hasZoneFile)
    {
        Origin = origin;
        Soa = soa;
        NameServers = nameServers;
        HasZoneFile = hasZoneFile;

        // RFC 2308 §3: a negative answer is cached for the lesser of the SOA's TTL and its MINIMUM field, so the SOA
        // in the authority section carries that TTL; it is made once here rather than on every NXDOMAIN.
        var negativeTtl = Math.Min(soa.TimeToLive, soa.NegativeCachingTTL);
        NegativeSoa = negativeTtl == soa.TimeToLive
            ? soa
            : new SoaRecord(soa.Name, negativeTtl, soa.MasterName, soa.ResponsibleName, soa.SerialNumber, soa.RefreshInterval, soa.RetryInterval, soa.ExpireInterval, soa.NegativeCachingTTL);
    }

    /// <summary>The apex, as the zone file (or the view, for a zone without one) spells it.</summary>
    public DomainName Origin { get; }

    /// <summary>The apex SOA with the view's serial for the zone (not the file's), which rises on every change.</summary>
    public SoaRecord Soa { get; }

    /// <summary>The SOA for the authority section of NXDOMAIN and NODATA answers (TTL per RFC 2308 §3).</summary>
    public SoaRecord NegativeSoa { get; }

    /// <summary>The apex NS set.</summary>
    public DnsRecordBase[] NameServers { get; }

    /// <summary>False for a default zone that only registrations populate: its SOA and NS are made up.</summary>
    public bool HasZoneFile { get; }

    /// <summary>True when some name below the apex has NS records: lookups must then look for a zone cut.</summary>
    public bool HasDelegations { get; set; }

    /// <summary>True when some owner's first label is <c>*</c>: lookups of missing names must then look for a wildcard.</summary>
    public bool HasWildcards { get; set; }
}
