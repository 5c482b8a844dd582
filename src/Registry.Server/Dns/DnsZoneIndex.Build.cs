using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Merge;
using Registry.Core.View;
using Registry.Core.Zones;

namespace Registry.Server.Dns;

/// <summary>Building the index from a snapshot: O(records + endpoints), once per snapshot.</summary>
internal sealed partial class DnsZoneIndex
{
    // The made-up SOA of a default zone without a zone file. Refresh, retry and expire only matter to secondaries
    // (which NOTIFY keeps current); a day of expiry keeps a cut-off secondary from serving a fleet long gone.
    private const int SynthesizedRefresh = 3600;
    private const int SynthesizedRetry = 600;
    private const int SynthesizedExpire = 86400;

    // Its NS set never changes, so it may be cached like any zone's.
    private const int SynthesizedNsTtl = 3600;

    /// <summary>
    /// Indexes <paramref name="view"/>:
    /// <list type="bullet">
    /// <item>every record of every zone file, but the SRV set at the owner of a hybrid or dynamic service, which the
    /// merged answer replaces (TTL <see cref="DnsAnswerOptions.DynamicTtl"/>), and the SOA, whose serial is the view's;
    /// records under a nested zone's apex are that zone's, as in BIND;</item>
    /// <item>for a zone of the view without a zone file (a wholly dynamic default zone), a SOA
    /// <c>ns.&lt;zone&gt; hostmaster.&lt;zone&gt; serial 3600 600 86400 DynamicTtl</c> (TTL DynamicTtl) and an NS
    /// <c>ns.&lt;zone&gt;</c> (TTL 3600);</item>
    /// <item>A/AAAA, from the registrations, for the targets of registered endpoints in answers that are inside a
    /// served zone where the zone file has no record at that name, and for <c>&lt;service&gt;.&lt;zone&gt;</c> of every
    /// hybrid and dynamic service (the addresses of its answer), unless the zone file has records there;</item>
    /// <item>PTR, in a served reverse zone (<c>in-addr.arpa</c>/<c>ip6.arpa</c>), for every registered address, pointing
    /// at the instance's target name, where the zone file has no record at that name (see <c>AddReversePointers</c>);</item>
    /// <item>an empty node for every ancestor of a name up to its apex (empty non-terminals answer NODATA).</item>
    /// </list>
    /// A hybrid or dynamic service with an empty answer keeps the zone file's SRV set if it has one (only a service
    /// declared with target "." can be hybrid and answer nothing, and "." says "not here" as its author meant), and
    /// otherwise its name exists without records, so it answers NODATA rather than a cacheable NXDOMAIN.
    /// </summary>
    /// <param name="view">The snapshot.</param>
    /// <param name="options">The dynamic TTL.</param>
    /// <param name="previous">The index of an earlier snapshot, if any: its parsed names are reused.</param>
    public static DnsZoneIndex Build(ViewSnapshot view, DnsAnswerOptions options, DnsZoneIndex? previous = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        var index = new Builder(view, options, previous?._names).Build();
        index._dynamicTtl = options.DynamicTtl;
        return index;
    }

    private sealed partial class Builder(ViewSnapshot view, DnsAnswerOptions options, Dictionary<string, DomainName?>? previousNames)
    {
        private readonly Dictionary<DomainName, DnsZone> _zones = [];
        private readonly Dictionary<string, DnsZone> _zonesByText = new(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<DomainName, NodeBuilder> _nodes = [];
        private readonly Dictionary<string, DomainName?>? _previousNames = previousNames;

        // Each name made once per build, and taken from the previous build when it had it: making a DomainName costs
        // microseconds, and consecutive snapshots share almost all their names. Only the names this build uses are
        // kept, so the cache is as large as the view, whatever the churn.
        private readonly Dictionary<string, DomainName?> _names = new(StringComparer.Ordinal);

        /// <summary>True when one served zone is inside another: then a zone file's record may belong to the inner one.</summary>
        private bool _nested;

        public DnsZoneIndex Build()
        {
            var zoneSet = view.Zones;
            foreach (var origin in view.Origins)
            {
                AddZone(origin, zoneSet.GetZone(origin));
            }

            _nested = _zones.Keys.Any(inner => _zones.Keys.Any(inner.IsSubDomainOf));
            foreach (var intent in zoneSet.Zones)
            {
                if (_zonesByText.TryGetValue(intent.Origin, out var zone))
                {
                    AddZoneRecords(intent, zone);
                }
            }

            // Zone-file records are all in: what follows only fills names the zone files leave empty.
            var replaced = new List<MergedService>();
            foreach (var service in view.Services)
            {
                if (service.Mode != ServiceMode.Static)
                {
                    AddMergedSrv(service);
                    replaced.Add(service);
                }
            }

            AddRegisteredAddresses(replaced);
            AddReversePointers(replaced);

            foreach (var builder in _nodes.Values.ToList())
            {
                AddAncestors(builder);
            }

            var nodes = new Dictionary<DomainName, DnsNode>(_nodes.Count);
            foreach (var (name, builder) in _nodes)
            {
                var node = builder.Freeze();
                nodes[name] = node;
                builder.Zone.HasDelegations |= node.IsDelegation;
                builder.Zone.HasWildcards |= name.LabelCount > 0 && name.Labels[0] == "*";
            }

            return new DnsZoneIndex(view, _zones, nodes, _names);
        }

        private void AddZone(string originText, ZoneIntent? intent)
        {
            if (Name(originText) is not { } origin)
            {
                return;
            }

            var serial = view.Serial(originText);
            DnsZone zone;
            if (intent is null)
            {
                var ns = new DomainName(["ns"]) + origin;
                var soa = new SoaRecord(origin, options.DynamicTtl, ns, new DomainName(["hostmaster"]) + origin, serial, SynthesizedRefresh, SynthesizedRetry, SynthesizedExpire, options.DynamicTtl);
                zone = new DnsZone(origin, soa, [new NsRecord(origin, SynthesizedNsTtl, ns)], hasZoneFile: false);
                var apex = Node(origin, zone, originText);
                apex.Add(zone.Soa);
                apex.Add(zone.NameServers[0]);
            }
            else
            {
                // The loader guarantees exactly one SOA, at the origin.
                var declared = intent.Records.Select(r => r.Record).OfType<SoaRecord>().First();
                var soa = new SoaRecord(declared.Name, declared.TimeToLive, declared.MasterName, declared.ResponsibleName, serial, declared.RefreshInterval, declared.RetryInterval, declared.ExpireInterval, declared.NegativeCachingTTL);
                DnsRecordBase[] nameServers = [.. intent.Records.Select(r => r.Record).Where(r => r is NsRecord && r.Name.Equals(origin))];
                zone = new DnsZone(origin, soa, nameServers, hasZoneFile: true);
            }

            _zones[origin] = zone;
            _zonesByText[originText] = zone;
        }

        private void AddZoneRecords(ZoneIntent intent, DnsZone zone)
        {
            foreach (var zoneRecord in intent.Records)
            {
                var record = zoneRecord.Record;

                // A name under a nested zone's apex is that zone's (BIND serves the child zone for it): the parent's
                // delegation NS and glue there are not what the facade answers.
                if (_nested && !ReferenceEquals(ZoneOf(record.Name), zone))
                {
                    continue;
                }

                if (record is SoaRecord)
                {
                    record = zone.Soa;
                }
                else if (record is SrvRecord && view.FindBySrvName(record.Name.ToString()) is { Mode: not ServiceMode.Static } merged
                    && string.Equals(merged.Zone, intent.Origin, StringComparison.OrdinalIgnoreCase))
                {
                    // The merged answer replaces it; kept aside in case that answer is empty.
                    Node(record.Name, zone).AddReplaced(record);
                    continue;
                }

                Node(record.Name, zone).AddFromZoneFile(record);
            }
        }

        private void AddMergedSrv(MergedService service)
        {
            if (ZoneOf(service.SrvName) is not { } zone || Name(service.SrvName) is not { } owner)
            {
                return;
            }

            var node = Node(owner, zone, service.SrvName);
            if (node.Has(RecordType.CName))
            {
                return; // the zone file made the name an alias; nothing else may live there (RFC 1034 §3.6.2)
            }

            foreach (var endpoint in service.Endpoints)
            {
                if (endpoint.InAnswer && Name(endpoint.Target) is { } target && IsUShort(endpoint.Priority) && IsUShort(endpoint.Weight) && IsUShort(endpoint.Port))
                {
                    node.Add(new SrvRecord(owner, options.DynamicTtl, (ushort)endpoint.Priority, (ushort)endpoint.Weight, (ushort)endpoint.Port, target));
                }
            }

            node.RestoreReplacedIfEmpty(RecordType.Srv);
        }

        private void AddRegisteredAddresses(List<MergedService> services)
        {
            // Gathered first, so that an instance target and a service name that coincide, or two services sharing a
            // host, give one A set with every address once.
            var pending = new Dictionary<DomainName, PendingAddresses>();
            var order = new List<PendingAddresses>();
            var answered = new List<IPAddress>();
            foreach (var service in services)
            {
                answered.Clear();
                foreach (var endpoint in service.Endpoints)
                {
                    if (endpoint.InAnswer)
                    {
                        answered.AddRange(endpoint.Addresses);
                        if (endpoint.Instance is not null)
                        {
                            Collect(endpoint.Target, endpoint.Addresses);
                        }
                    }
                }

                Collect($"{service.Service.Value.ToLowerInvariant()}.{service.Zone}", answered);
            }

            foreach (var entry in order)
            {
                var node = Node(entry.Name, entry.Zone, entry.Text);
                foreach (var address in entry.Addresses)
                {
                    node.Add(address.AddressFamily == AddressFamily.InterNetwork
                        ? new ARecord(entry.Name, options.DynamicTtl, address)
                        : new AaaaRecord(entry.Name, options.DynamicTtl, address));
                }
            }

            void Collect(string text, IReadOnlyList<IPAddress> found)
            {
                // Only names of served zones, and only where the zone file is silent: its records are the author's.
                if (found.Count == 0 || ZoneOf(text) is not { } zone || Name(text) is not { } name
                    || (_nodes.TryGetValue(name, out var existing) && existing.FromZoneFile))
                {
                    return;
                }

                if (!pending.TryGetValue(name, out var entry))
                {
                    pending[name] = entry = new PendingAddresses(name, zone, text);
                    order.Add(entry);
                }

                foreach (var address in found)
                {
                    entry.Add(address);
                }
            }
        }

        private void AddAncestors(NodeBuilder builder)
        {
            var originLabels = builder.Zone.Origin.LabelCount;
            var name = builder.Name;
            var text = builder.Text;
            while (name.LabelCount > originLabels)
            {
                // From the text when there is one: a dictionary hit on the parent's text is far cheaper than GetParentName.
                var dot = text is null || !DnsNames.IsPlain(text) ? -1 : text.IndexOf('.', StringComparison.Ordinal);
                text = dot < 0 ? null : text![(dot + 1)..];
                name = (text is null ? null : Name(text)) ?? name.GetParentName();
                if (_nodes.ContainsKey(name))
                {
                    return; // its ancestors were added with it
                }

                _nodes[name] = new NodeBuilder(name, builder.Zone, text);
            }
        }

        private NodeBuilder Node(DomainName name, DnsZone zone, string? text = null)
        {
            if (!_nodes.TryGetValue(name, out var node))
            {
                _nodes[name] = node = new NodeBuilder(name, zone, text);
            }

            return node;
        }

        /// <summary>The most specific served zone containing <paramref name="name"/>, or null.</summary>
        private DnsZone? ZoneOf(DomainName name)
        {
            for (var candidate = name; ; candidate = candidate.GetParentName())
            {
                if (_zones.TryGetValue(candidate, out var zone))
                {
                    return zone;
                }

                if (candidate.LabelCount == 0)
                {
                    return null;
                }
            }
        }

        /// <summary>
        /// <see cref="ZoneOf(DomainName)"/> for a name in text, without making a DomainName per suffix: the view's
        /// names are absolute LDH text, so each suffix after a dot is probed as a span. Other text goes the slow way.
        /// </summary>
        private DnsZone? ZoneOf(string text)
        {
            if (!text.EndsWith('.') || !DnsNames.IsPlain(text))
            {
                return Name(text) is { } name ? ZoneOf(name) : null;
            }

            var lookup = _zonesByText.GetAlternateLookup<ReadOnlySpan<char>>();
            var suffix = text.AsSpan();
            DnsZone? zone;
            while (!lookup.TryGetValue(suffix, out zone))
            {
                var dot = suffix.IndexOf('.');
                if (dot < 0 || dot == suffix.Length - 1)
                {
                    return lookup.TryGetValue(".", out var root) ? root : null;
                }

                suffix = suffix[(dot + 1)..];
            }

            return zone;
        }

        /// <summary>The name of <paramref name="text"/> (absolute), or null when it is not one.</summary>
        private DomainName? Name(string text)
        {
            if (!_names.TryGetValue(text, out var name))
            {
                name = _previousNames?.GetValueOrDefault(text) ?? DnsNames.TryCreate(text);
                _names[text] = name;
            }

            return name;
        }

        private static bool IsUShort(int value) => value is >= 0 and <= ushort.MaxValue;
    }

    /// <summary>The registered addresses of one name, each once, in order of first appearance.</summary>
    private sealed class PendingAddresses(DomainName name, DnsZone zone, string text)
    {
        private readonly HashSet<IPAddress> _seen = [];

        public DomainName Name { get; } = name;

        public DnsZone Zone { get; } = zone;

        public string Text { get; } = text;

        public List<IPAddress> Addresses { get; } = [];

        public void Add(IPAddress address)
        {
            if (address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 && _seen.Add(address))
            {
                Addresses.Add(address);
            }
        }
    }

    /// <summary>A name's RRsets while the index is built, in order of first appearance.</summary>
    private sealed class NodeBuilder(DomainName name, DnsZone zone, string? text)
    {
        private readonly List<(RecordType Type, List<DnsRecordBase> Records)> _sets = [];
        private HashSet<DnsRecordBase>? _zoneFileRecords;
        private List<DnsRecordBase>? _replaced;

        public DomainName Name { get; } = name;

        public DnsZone Zone { get; } = zone;

        /// <summary>The name as the view spelled it, when it came from the view; lets ancestors be found by text.</summary>
        public string? Text { get; } = text;

        /// <summary>True when the zone file has records at this name (served or replaced).</summary>
        public bool FromZoneFile { get; private set; }

        public bool Has(RecordType type) => _sets.Exists(s => s.Type == type);

        /// <summary>Adds a record the view made (merged SRV, registered address, made-up SOA/NS): unique by construction.</summary>
        public void Add(DnsRecordBase record) => Set(record.RecordType).Add(record);

        /// <summary>
        /// Adds a record of a zone file, unless the file has it already (BIND drops duplicates too). A record whose TTL
        /// differs from its RRset's takes the RRset's, which is the first line's: RFC 2181 §5.2 forbids RRsets with
        /// differing TTLs, and BIND loads such a file the same way ("TTL set to prior TTL").
        /// </summary>
        public void AddFromZoneFile(DnsRecordBase record)
        {
            FromZoneFile = true;
            var set = Set(record.RecordType);
            if (set.Count > 0)
            {
                record = RecordOwner.WithTtl(record, set[0].TimeToLive);
            }

            if ((_zoneFileRecords ??= []).Add(record))
            {
                set.Add(record);
            }
        }

        /// <summary>Keeps aside a zone file's record that a merged answer replaces.</summary>
        public void AddReplaced(DnsRecordBase record)
        {
            FromZoneFile = true;
            (_replaced ??= []).Add(record);
        }

        /// <summary>Serves the replaced records after all when nothing of <paramref name="type"/> took their place.</summary>
        public void RestoreReplacedIfEmpty(RecordType type)
        {
            if (_replaced is not null && !Has(type))
            {
                foreach (var record in _replaced)
                {
                    AddFromZoneFile(record);
                }
            }
        }

        public DnsNode Freeze() =>
            new(Name, Zone, [.. _sets.Select(s => s.Type)], [.. _sets.Select(s => s.Records.ToArray())]);

        private List<DnsRecordBase> Set(RecordType type)
        {
            foreach (var (existing, records) in _sets)
            {
                if (existing == type)
                {
                    return records;
                }
            }

            var created = new List<DnsRecordBase>();
            _sets.Add((type, created));
            return created;
        }
    }
}
