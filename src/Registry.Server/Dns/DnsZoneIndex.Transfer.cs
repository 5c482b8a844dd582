using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns;

/// <summary>Enumerating a zone for AXFR: everything the facade serves in it, from this one snapshot.</summary>
internal sealed partial class DnsZoneIndex
{
    /// <summary>
    /// Every record of <paramref name="zone"/> but its SOA (which a transfer puts first and last): what the facade
    /// answers for names of the zone, delegation NS and glue included; names under a nested zone belong to that one.
    /// </summary>
    public IEnumerable<DnsRecordBase> RecordsOf(DnsZone zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        foreach (var node in _nodes.Values)
        {
            if (!node.Zone.Origin.Equals(zone.Origin))
            {
                continue;
            }

            foreach (var set in node.Sets)
            {
                if (set.Length > 0 && set[0] is SoaRecord)
                {
                    continue;
                }

                foreach (var record in set)
                {
                    yield return record;
                }
            }
        }
    }
}
