namespace Registry.Server.Dns;

/// <summary>What the answer engine needs beyond the view.</summary>
internal sealed record DnsAnswerOptions
{
    /// <summary>
    /// The TTL, in seconds, of every record made from registrations (merged SRV sets of hybrid and dynamic services,
    /// instance and service A/AAAA, the SOA and NS of a default zone without a zone file). Short (DESIGN §7), because
    /// these records change whenever an instance comes or goes and a cache would keep answering with the old set.
    /// </summary>
    public int DynamicTtl { get; init; } = 5;
}
