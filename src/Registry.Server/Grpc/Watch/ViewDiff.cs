using Registry.Core.Merge;
using Registry.Core.View;
using Endpoint = Registry.Core.Merge.Endpoint;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// The changes between two consecutive views, as Watch streams send them. Pure. Both service lists are in view order
/// (zone, name, protocol), so they are walked side by side; a service whose <see cref="MergedService"/> is the same
/// object in both was not merged again (<see cref="Core.View.ViewSnapshot"/> keeps unchanged services), so it costs a
/// reference comparison. Only services that were merged again are compared field by field.
/// </summary>
internal static class ViewDiff
{
    public static List<ServiceChange> Diff(IReadOnlyList<MergedService> before, IReadOnlyList<MergedService> after)
    {
        var changes = new List<ServiceChange>();
        int i = 0, j = 0;
        while (i < before.Count || j < after.Count)
        {
            if (i < before.Count && j < after.Count && ReferenceEquals(before[i], after[j]))
            {
                i++;
                j++;
                continue;
            }

            var order = i == before.Count ? 1 : j == after.Count ? -1 : ViewSnapshot.CompareServices(before[i], after[j]);
            if (order < 0)
            {
                var removed = before[i++];
                changes.Add(new ServiceChange(removed.Service, new V1.Change { Kind = V1.ChangeKind.ServiceRemoved, SrvName = removed.SrvName, Service = ProtoMapping.Service(removed) }));
            }
            else if (order > 0)
            {
                var added = after[j++];
                changes.Add(new ServiceChange(added.Service, new V1.Change { Kind = V1.ChangeKind.ServiceAdded, SrvName = added.SrvName, Service = ProtoMapping.Service(added) }));
            }
            else
            {
                DiffService(before[i++], after[j++], changes);
            }
        }

        return changes;
    }

    /// <summary>The changes within one service merged again: its own fields, then endpoints removed (old order), then added or changed (new order).</summary>
    private static void DiffService(MergedService before, MergedService after, List<ServiceChange> changes)
    {
        var header = ProtoMapping.ServiceHeader(after);
        if (!header.Equals(ProtoMapping.ServiceHeader(before)))
        {
            changes.Add(new ServiceChange(after.Service, new V1.Change { Kind = V1.ChangeKind.ServiceChanged, SrvName = after.SrvName, Service = header }));
        }

        var old = new Dictionary<(string, int, int), Endpoint>();
        foreach (var (key, endpoint) in Keyed(before.Endpoints))
        {
            old[key] = endpoint;
        }

        var current = Keyed(after.Endpoints).ToList();
        var kept = current.Select(c => c.Key).ToHashSet();
        foreach (var (key, endpoint) in Keyed(before.Endpoints))
        {
            if (!kept.Contains(key))
            {
                changes.Add(new ServiceChange(after.Service, new V1.Change { Kind = V1.ChangeKind.EndpointRemoved, SrvName = after.SrvName, Endpoint = ProtoMapping.Endpoint(endpoint) }));
            }
        }

        foreach (var (key, endpoint) in current)
        {
            if (!old.TryGetValue(key, out var previous))
            {
                changes.Add(new ServiceChange(after.Service, new V1.Change { Kind = V1.ChangeKind.EndpointAdded, SrvName = after.SrvName, Endpoint = ProtoMapping.Endpoint(endpoint) }));
            }
            else if (!ReferenceEquals(previous, endpoint))
            {
                var now = ProtoMapping.Endpoint(endpoint);
                var then = ProtoMapping.Endpoint(previous);
                if (!now.Equals(then))
                {
                    changes.Add(new ServiceChange(after.Service, new V1.Change { Kind = V1.ChangeKind.EndpointChanged, SrvName = after.SrvName, Endpoint = now, Previous = then }));
                }
            }
        }
    }

    /// <summary>Endpoints keyed by target and port, with an occurrence number for the (rare) repeated pair.</summary>
    private static IEnumerable<((string Target, int Port, int Occurrence) Key, Endpoint Endpoint)> Keyed(IReadOnlyList<Endpoint> endpoints)
    {
        var seen = new Dictionary<(string, int), int>();
        foreach (var endpoint in endpoints)
        {
            var pair = (endpoint.Target, endpoint.Port);
            var occurrence = seen.GetValueOrDefault(pair);
            seen[pair] = occurrence + 1;
            yield return ((endpoint.Target, endpoint.Port, occurrence), endpoint);
        }
    }
}
