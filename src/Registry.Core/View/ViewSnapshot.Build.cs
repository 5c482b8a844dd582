using System.Collections.Immutable;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.View;

/// <summary>Building the merged services: from scratch, or from the previous snapshot by what changed.</summary>
public sealed partial class ViewSnapshot
{
    /// <summary>
    /// Every service merged, in order. Services whose inputs are the same objects as in <paramref name="previous"/>
    /// keep their previous entry; the rest are merged.
    /// </summary>
    private Contents BuildAll(ViewSnapshot? previous)
    {
        var entries = new List<ServiceEntry>();
        foreach (var declared in _zoneCache.Zones.Services)
        {
            IReadOnlyList<ServiceInstance>? instances = null;
            if (string.Equals(Absolute(declared.Zone), DefaultZone, StringComparison.Ordinal))
            {
                _registrations.TryGetValue(declared.Service, out instances);
            }

            entries.Add(ReuseOrMerge(previous, declared.Service, declared.Protocol, declared.Zone, declared, instances));
        }

        var instanceCount = 0;
        foreach (var (service, instances) in _registrations)
        {
            instanceCount += instances.Count;
            foreach (var protocol in DynamicProtocols(service, instances))
            {
                entries.Add(ReuseOrMerge(previous, service, protocol, DefaultZone, declared: null, instances));
            }
        }

        ServiceEntry[] ordered = [.. entries
            .OrderBy(e => e.Merged.Zone, StringComparer.Ordinal)
            .ThenBy(e => e.Merged.Service.Value, StringComparer.OrdinalIgnoreCase)
            .ThenBy(e => e.Merged.Protocol, StringComparer.Ordinal)];

        var bySrvName = ImmutableDictionary.CreateBuilder<string, ServiceEntry>(StringComparer.OrdinalIgnoreCase);
        var endpointCount = 0;
        foreach (var entry in ordered)
        {
            bySrvName[entry.SrvName] = entry;
            endpointCount += entry.AnswerCount;
        }

        return new Contents(ordered, ServicesOf(ordered), bySrvName.ToImmutable(), DegradedOf(ordered), instanceCount, endpointCount, DirtyZones: null);
    }

    /// <summary>
    /// The previous snapshot's services with those of the changed registrations merged again, or null when the
    /// previous snapshot had other zones, default zone or policy (then <see cref="BuildAll"/> applies). Costs
    /// O(changed instances) for the merges plus O(services) of reference comparisons and copies.
    /// </summary>
    private Contents? BuildOn(ViewSnapshot previous)
    {
        if (!ReferenceEquals(previous._zoneCache, _zoneCache) || _zoneCache.HasDuplicateServices || !previous._policy.Equals(_policy))
        {
            return null;
        }

        var changed = ChangedServices(previous._registrations, _registrations);
        if (changed.Count == 0)
        {
            return new Contents(previous._entries, previous._services, previous._bySrvName, previous.Degraded, previous.InstanceCount, previous.EndpointCount, DirtyZones: []);
        }

        // Everything a changed registration feeds is replaced: the hybrid services it runs in the default zone and
        // the dynamic services of its protocols. The old dynamic ones are found from the old list's protocols.
        var removed = new HashSet<ServiceEntry>(ReferenceEqualityComparer.Instance);
        var added = new List<ServiceEntry>();
        var instanceCount = previous.InstanceCount;
        foreach (var service in changed)
        {
            previous._registrations.TryGetValue(service, out var before);
            _registrations.TryGetValue(service, out var after);
            instanceCount += (after?.Count ?? 0) - (before?.Count ?? 0);
            if (_zoneCache.DeclaredInDefault.TryGetValue(service, out var declarations))
            {
                foreach (var declared in declarations)
                {
                    if (!previous._bySrvName.TryGetValue(SrvKey(declared.Service, declared.Protocol, declared.Zone), out var old))
                    {
                        return null;
                    }

                    removed.Add(old);
                    added.Add(Merge(declared.Service, declared.Protocol, declared.Zone, declared, after));
                }
            }

            foreach (var protocol in before is null ? [] : DynamicProtocols(service, before))
            {
                if (!previous._bySrvName.TryGetValue(SrvKey(service, protocol, DefaultZone), out var old))
                {
                    return null;
                }

                removed.Add(old);
            }

            foreach (var protocol in after is null ? [] : DynamicProtocols(service, after))
            {
                added.Add(Merge(service, protocol, DefaultZone, declared: null, after));
            }
        }

        // Keys are unique here (no duplicate declarations), so the order is total: each removed entry is found, and
        // each added one placed, by binary search, and the runs in between are copied as they are.
        var removedAt = new List<int>(removed.Count);
        foreach (var entry in removed)
        {
            var index = LowerBound(previous._entries, entry);
            if (index == previous._entries.Length || !ReferenceEquals(previous._entries[index], entry))
            {
                return null; // not among the previous entries: their lookup and their list disagree, so start afresh
            }

            removedAt.Add(index);
        }

        removedAt.Sort();
        added.Sort(CompareEntries);
        var entries = new ServiceEntry[previous._entries.Length - removed.Count + added.Count];
        var services = new MergedService[entries.Length];
        int from = 0, to = 0, nextRemoved = 0, nextAdded = 0;
        while (true)
        {
            var insertAt = nextAdded < added.Count ? LowerBound(previous._entries, added[nextAdded]) : int.MaxValue;
            var removeAt = nextRemoved < removedAt.Count ? removedAt[nextRemoved] : int.MaxValue;
            var at = Math.Min(Math.Min(insertAt, removeAt), previous._entries.Length);
            Array.Copy(previous._entries, from, entries, to, at - from);
            Array.Copy(previous._services, from, services, to, at - from);
            to += at - from;
            from = at;
            if (insertAt <= removeAt && insertAt != int.MaxValue)
            {
                // An entry replacing one with the same key goes where that one was: before it, which is skipped next.
                var entry = added[nextAdded++];
                entries[to] = entry;
                services[to++] = entry.Merged;
            }
            else if (removeAt != int.MaxValue)
            {
                from++;
                nextRemoved++;
            }
            else
            {
                break;
            }
        }

        var bySrvName = previous._bySrvName.ToBuilder();
        var endpointCount = previous.EndpointCount;
        var degradedChanged = false;
        var dirty = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in removed)
        {
            bySrvName.Remove(entry.SrvName);
            endpointCount -= entry.AnswerCount;
            degradedChanged |= entry.Merged.Degraded;
            dirty.Add(entry.Merged.Zone);
        }

        foreach (var entry in added)
        {
            bySrvName[entry.SrvName] = entry;
            endpointCount += entry.AnswerCount;
            degradedChanged |= entry.Merged.Degraded;
            dirty.Add(entry.Merged.Zone);
        }

        var degraded = degradedChanged ? DegradedOf(entries) : previous.Degraded;
        return new Contents(entries, services, bySrvName.ToImmutable(), degraded, instanceCount, endpointCount, dirty);
    }

    /// <summary>The services whose registration list is not the same object in both, including those only in one.</summary>
    private static List<ServiceName> ChangedServices(
        IReadOnlyDictionary<ServiceName, IReadOnlyList<ServiceInstance>> before,
        IReadOnlyDictionary<ServiceName, IReadOnlyList<ServiceInstance>> after)
    {
        var changed = new List<ServiceName>();
        if (ReferenceEquals(before, after))
        {
            return changed;
        }

        var appeared = 0;
        if (after is ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>> immutable)
        {
            // What the watcher publishes: its struct enumerator walks the tree at half the cost of the interface's.
            foreach (var (service, instances) in immutable)
            {
                Compare(service, instances);
            }
        }
        else
        {
            foreach (var (service, instances) in after)
            {
                Compare(service, instances);
            }
        }

        // Every name of "after" but the new ones is in "before": it has more names only when some disappeared.
        if (before.Count > after.Count - appeared)
        {
            foreach (var service in before.Keys)
            {
                if (!after.ContainsKey(service))
                {
                    changed.Add(service);
                }
            }
        }

        return changed;

        void Compare(ServiceName service, IReadOnlyList<ServiceInstance> instances)
        {
            if (!before.TryGetValue(service, out var old))
            {
                changed.Add(service);
                appeared++;
            }
            else if (!ReferenceEquals(old, instances))
            {
                changed.Add(service);
            }
        }
    }

    /// <summary>The protocols a registered service is published under as a dynamic service of the default zone.</summary>
    private IEnumerable<string> DynamicProtocols(ServiceName service, IReadOnlyList<ServiceInstance> instances)
    {
        // A node with no instance still says the service registers: listed (answering nothing) unless declared.
        List<string> protocols = instances.Count == 0
            ? _zoneCache.DeclaredInDefault.ContainsKey(service) ? [] : [DefaultProtocol]
            : [.. instances.Select(i => i.Protocol.ToLowerInvariant()).Distinct(StringComparer.Ordinal)];
        return protocols.Where(protocol => _zoneCache.Zones.FindService(service, protocol, DefaultZone) is null);
    }

    private ServiceEntry ReuseOrMerge(ViewSnapshot? previous, ServiceName service, string protocol, string zone, DeclaredService? declared, IReadOnlyList<ServiceInstance>? instances) =>
        previous is not null
        && previous._bySrvName.TryGetValue(SrvKey(service, protocol, zone), out var old)
        && old.HasInputs(service, declared, instances, _policy)
            ? old
            : Merge(service, protocol, zone, declared, instances);

    private ServiceEntry Merge(ServiceName service, string protocol, string zone, DeclaredService? declared, IReadOnlyList<ServiceInstance>? instances) =>
        new(ServiceMerger.Merge(service, protocol, zone, declared, instances, _policy), declared, instances, _policy);

    /// <summary>
    /// The order of <see cref="Services"/>: zone, service name (case-insensitive), protocol. Diffs of two views (the
    /// Watch hub's, the DNS index's) walk both lists side by side in this order.
    /// </summary>
    public static int CompareServices(MergedService x, MergedService y)
    {
        var byZone = string.CompareOrdinal(x.Zone, y.Zone);
        if (byZone != 0)
        {
            return byZone;
        }

        var byName = StringComparer.OrdinalIgnoreCase.Compare(x.Service.Value, y.Service.Value);
        return byName != 0 ? byName : string.CompareOrdinal(x.Protocol, y.Protocol);
    }

    private static int CompareEntries(ServiceEntry x, ServiceEntry y) => CompareServices(x.Merged, y.Merged);

    /// <summary>The first index of <paramref name="entries"/> (in <see cref="CompareEntries"/> order) not before <paramref name="entry"/>.</summary>
    private static int LowerBound(ServiceEntry[] entries, ServiceEntry entry)
    {
        int low = 0, high = entries.Length;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (CompareEntries(entries[middle], entry) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static MergedService[] ServicesOf(ServiceEntry[] entries) => [.. entries.Select(e => e.Merged)];

    private static MergedService[] DegradedOf(ServiceEntry[] entries) =>
        [.. entries.Where(e => e.Merged.Degraded).Select(e => e.Merged)];

    /// <summary>The SRV owner name <see cref="MergedService.SrvName"/> gives the service merged from these arguments.</summary>
    private static string SrvKey(ServiceName service, string protocol, string zone) =>
        $"_{service.Value.ToLowerInvariant()}._{protocol.ToLowerInvariant()}.{Absolute(zone)}";

    /// <summary>
    /// What a build produced: the entries and their merged services in order, the lookup by SRV owner name, the
    /// degraded services, the counts, and the zones whose services changed since the previous snapshot (null when
    /// every zone must be fingerprinted).
    /// </summary>
    private sealed record Contents(
        ServiceEntry[] Entries,
        MergedService[] Services,
        ImmutableDictionary<string, ServiceEntry> BySrvName,
        IReadOnlyList<MergedService> Degraded,
        int InstanceCount,
        int EndpointCount,
        HashSet<string>? DirtyZones);
}
