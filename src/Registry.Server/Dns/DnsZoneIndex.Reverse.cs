using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Merge;

namespace Registry.Server.Dns;

/// <summary>Reverse lookups for registered addresses (DESIGN §4: PTR "when a reverse zone is configured").</summary>
internal sealed partial class DnsZoneIndex
{
    private sealed partial class Builder
    {
        /// <summary>
        /// Adds, for every address a registration gives an instance, a PTR at its reverse name to the instance's target
        /// name, when a served zone holds that reverse name: a reverse zone is "configured" by putting its zone file in
        /// the zones directory, so an operator opts in per network, and a fleet's addresses never appear in a zone nobody
        /// asked for. Drained and undeclared instances count too: PTR says who runs at an address, not who gets traffic.
        /// </summary>
        /// <remarks>
        /// A name the zone file has records at keeps them alone (the author's intent wins, as for A/AAAA). Two
        /// instances on one address give two PTRs (RFC 2181 §10.2 allows it; both targets do run there), each once.
        /// </remarks>
        private void AddReversePointers(List<MergedService> services)
        {
            if (!_zones.Keys.Any(IsReverseZone))
            {
                return; // the common case, and then not one reverse name is made
            }

            var pending = new Dictionary<DomainName, (DnsZone Zone, List<DomainName> Targets)>();
            var order = new List<DomainName>();
            foreach (var service in services)
            {
                foreach (var endpoint in service.Endpoints)
                {
                    if (endpoint.Instance is null || Name(endpoint.Target) is not { } target)
                    {
                        continue;
                    }

                    foreach (var address in endpoint.Addresses)
                    {
                        var owner = address.GetReverseLookupDomain();
                        if (ZoneOf(owner) is not { } zone || !IsReverseZone(zone.Origin) || (_nodes.TryGetValue(owner, out var existing) && existing.FromZoneFile))
                        {
                            continue;
                        }

                        if (!pending.TryGetValue(owner, out var entry))
                        {
                            pending[owner] = entry = (zone, []);
                            order.Add(owner);
                        }

                        if (!entry.Targets.Contains(target))
                        {
                            entry.Targets.Add(target);
                        }
                    }
                }
            }

            foreach (var owner in order)
            {
                var (zone, targets) = pending[owner];
                var node = Node(owner, zone);
                foreach (var target in targets)
                {
                    node.Add(new PtrRecord(owner, options.DynamicTtl, target));
                }
            }
        }

        private static bool IsReverseZone(DomainName origin) =>
            origin.IsEqualOrSubDomainOf(InAddrArpa) || origin.IsEqualOrSubDomainOf(Ip6Arpa);
    }

    private static readonly DomainName InAddrArpa = DomainName.Parse("in-addr.arpa.");
    private static readonly DomainName Ip6Arpa = DomainName.Parse("ip6.arpa.");
}
