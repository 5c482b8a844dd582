using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Merge;

namespace Registry.Server.Dns;

/// <summary>
/// What an incremental build needs besides the nodes: where every name's records come from, so that a name touched by
/// a changed service can be made again exactly as a full build makes it, from its sources alone.
/// </summary>
internal sealed partial class DnsZoneIndex
{
    /// <summary>The state of this index, made once (off the query path: only builds ask for it).</summary>
    private IncrementalState State => LazyInitializer.EnsureInitialized(ref _state, () => IncrementalState.Of(this));

    /// <summary>One zone file record at a name, as the full build reads it: in file order, with its file's origin.</summary>
    private readonly record struct ZoneFileEntry(DnsRecordBase Record, string IntentOrigin, DomainName ZoneOrigin);

    /// <summary>
    /// The sources of every name: the zone files' records (shared by every index of one <c>ZoneSet</c>), each non-static
    /// service's <see cref="Footprint"/>, the services contributing to each name in <c>view.Services</c> order, and how
    /// many existing children each name has (a name without records exists while that count is positive).
    /// </summary>
    private sealed class IncrementalState(
        Dictionary<DomainName, ZoneFileEntry[]> zoneFile,
        Dictionary<MergedService, Footprint> footprints,
        Dictionary<DomainName, MergedService[]> contributors,
        Dictionary<DomainName, int> children)
    {
        public Dictionary<DomainName, ZoneFileEntry[]> ZoneFile { get; } = zoneFile;

        public Dictionary<MergedService, Footprint> Footprints { get; } = footprints;

        public Dictionary<DomainName, MergedService[]> Contributors { get; } = contributors;

        public Dictionary<DomainName, int> Children { get; } = children;

        /// <summary>The state of an index made by a full build: O(view), once, the first time it is updated.</summary>
        public static IncrementalState Of(DnsZoneIndex index)
        {
            var view = index.View;
            var nested = index._zones.Keys.Any(inner => index._zones.Keys.Any(inner.IsSubDomainOf));
            var zoneFile = new Dictionary<DomainName, List<ZoneFileEntry>>();
            foreach (var intent in view.Zones.Zones)
            {
                if (DnsNames.TryCreate(intent.Origin) is not { } origin || !index._zones.TryGetValue(origin, out var zone))
                {
                    continue;
                }

                foreach (var zoneRecord in intent.Records)
                {
                    // As the full build: a name under a nested zone's apex is that zone's.
                    var record = zoneRecord.Record;
                    if (nested && !ReferenceEquals(ZoneOf(index._zones, record.Name), zone))
                    {
                        continue;
                    }

                    if (!zoneFile.TryGetValue(record.Name, out var entries))
                    {
                        zoneFile[record.Name] = entries = [];
                    }

                    entries.Add(new ZoneFileEntry(record, intent.Origin, zone.Origin));
                }
            }

            var context = new FootprintContext(index._zones, name => index._names.TryGetValue(name, out var known) ? known : DnsNames.TryCreate(name));
            var footprints = new Dictionary<MergedService, Footprint>(ReferenceEqualityComparer.Instance);
            var contributors = new Dictionary<DomainName, List<MergedService>>();
            foreach (var service in view.Services)
            {
                if (service.Mode == ServiceMode.Static)
                {
                    continue;
                }

                var footprint = Footprint.Of(service, context);
                footprints[service] = footprint;
                foreach (var name in footprint.ByName.Keys)
                {
                    if (!contributors.TryGetValue(name, out var list))
                    {
                        contributors[name] = list = [];
                    }

                    list.Add(service); // view.Services order, which the full build follows
                }
            }

            var children = new Dictionary<DomainName, int>();
            foreach (var node in index._nodes.Values)
            {
                if (node.Name.LabelCount > node.Zone.Origin.LabelCount)
                {
                    var parent = node.Name.GetParentName();
                    children[parent] = children.GetValueOrDefault(parent) + 1;
                }
            }

            return new IncrementalState(
                zoneFile.ToDictionary(e => e.Key, e => e.Value.ToArray()),
                footprints,
                contributors.ToDictionary(e => e.Key, e => e.Value.ToArray()),
                children);
        }
    }

    /// <summary>The most specific zone of <paramref name="zones"/> containing <paramref name="name"/>, or null.</summary>
    private static DnsZone? ZoneOf(Dictionary<DomainName, DnsZone> zones, DomainName name)
    {
        for (var candidate = name; ; candidate = candidate.GetParentName())
        {
            if (zones.TryGetValue(candidate, out var zone))
            {
                return zone;
            }

            if (candidate.LabelCount == 0)
            {
                return null;
            }
        }
    }

    private static bool IsReverse(DomainName origin) =>
        origin.IsEqualOrSubDomainOf(InAddrArpa) || origin.IsEqualOrSubDomainOf(Ip6Arpa);

    /// <summary>The served zones and the name maker a footprint is computed with.</summary>
    private sealed class FootprintContext(Dictionary<DomainName, DnsZone> zones, Func<string, DomainName?> name)
    {
        public bool HasReverseZones { get; } = zones.Keys.Any(IsReverse);

        public DnsZone? ZoneOf(DomainName domain) => DnsZoneIndex.ZoneOf(zones, domain);

        public DomainName? Name(string text) => name(text);
    }

    /// <summary>What one service contributes to one name (the full build's <c>Collect</c> calls and PTR entries for it).</summary>
    private sealed class Contribution
    {
        /// <summary>True when the name is the service's SRV owner.</summary>
        public bool SrvOwner { get; set; }

        /// <summary>The addresses given to the name, in the full build's order, repeats included; null when none.</summary>
        public List<IPAddress>? Addresses { get; set; }

        /// <summary>The PTR targets at the name (a reverse name), in order, repeats included; null when none.</summary>
        public List<DomainName>? Pointers { get; set; }
    }

    /// <summary>
    /// Every name a non-static service puts records at, and what it puts there: its SRV owner, the A/AAAA of its
    /// registered targets and of <c>&lt;service&gt;.&lt;zone&gt;</c>, and the PTRs of its registered addresses. Only
    /// names in served zones; whether a zone file's records at a name override the contribution is decided when the
    /// name is made, as in the full build.
    /// </summary>
    private sealed class Footprint
    {
        public Dictionary<DomainName, Contribution> ByName { get; } = [];

        /// <summary>Mirrors <c>AddMergedSrv</c>, <c>AddRegisteredAddresses</c> and <c>AddReversePointers</c> for one service.</summary>
        public static Footprint Of(MergedService service, FootprintContext context)
        {
            var footprint = new Footprint();
            if (context.Name(service.SrvName) is { } owner && context.ZoneOf(owner) is not null)
            {
                footprint.At(owner).SrvOwner = true;
            }

            var answered = new List<IPAddress>();
            foreach (var endpoint in service.Endpoints)
            {
                if (endpoint.InAnswer)
                {
                    answered.AddRange(endpoint.Addresses);
                    if (endpoint.Instance is not null)
                    {
                        footprint.Collect(context, endpoint.Target, endpoint.Addresses);
                    }
                }
            }

            footprint.Collect(context, $"{service.Service.Value.ToLowerInvariant()}.{service.Zone}", answered);
            if (context.HasReverseZones)
            {
                footprint.AddPointers(service, context);
            }

            return footprint;
        }

        private void Collect(FootprintContext context, string text, IReadOnlyList<IPAddress> found)
        {
            if (found.Count > 0 && context.Name(text) is { } name && context.ZoneOf(name) is not null)
            {
                (At(name).Addresses ??= []).AddRange(found);
            }
        }

        private void AddPointers(MergedService service, FootprintContext context)
        {
            foreach (var endpoint in service.Endpoints)
            {
                if (endpoint.Instance is null || context.Name(endpoint.Target) is not { } target)
                {
                    continue;
                }

                foreach (var address in endpoint.Addresses)
                {
                    var owner = address.GetReverseLookupDomain();
                    if (context.ZoneOf(owner) is { } zone && IsReverse(zone.Origin))
                    {
                        (At(owner).Pointers ??= []).Add(target);
                    }
                }
            }
        }

        private Contribution At(DomainName name)
        {
            if (!ByName.TryGetValue(name, out var contribution))
            {
                ByName[name] = contribution = new Contribution();
            }

            return contribution;
        }
    }
}
