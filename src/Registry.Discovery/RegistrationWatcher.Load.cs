using System.Collections.Immutable;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.ZooKeeper;

namespace Registry.Discovery;

/// <summary>The full load: what the watcher does at start, after every reconnect and on a new session.</summary>
public sealed partial class RegistrationWatcher
{
    /// <summary>
    /// Instances read per multiRead. One request per node would cost ZooKeeper ~85 µs of CPU each (100,000 instances:
    /// ~9 s on two cores); a batch costs about as much as one. 100 Curator registrations of a few hundred bytes keep the
    /// reply far below jute.maxbuffer (1 MiB) even with generous metadata.
    /// </summary>
    private const int InstancesPerRead = 100;

    /// <summary>Batches in flight at once: enough to keep the connection busy, bounded so a huge tree cannot queue unbounded requests.</summary>
    private const int ReadsInFlight = 16;

    /// <summary>Reads the whole subtree and publishes it as the new state.</summary>
    private async Task LoadAllAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        var services = ImmutableDictionary.CreateBuilder<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>>();
        var unreadable = new HashSet<string>(StringComparer.Ordinal);
        long zxid = 0;
        var children = await ChildrenOrNullAsync(client, _layout.BasePath, cancellationToken).ConfigureAwait(false);
        if (children is not null)
        {
            zxid = children.Stat.Pzxid;
            var serviceReads = new List<(ServiceName Name, Task<ChildrenResult?> Children)>();
            foreach (var name in children.Children)
            {
                if (ParseService(name) is { } service)
                {
                    serviceReads.Add((service, ChildrenOrNullAsync(client, _layout.ServicePath(service), cancellationToken)));
                }
            }

            // Instances are queued service by service and read in batches, in order.
            var batches = new List<(List<(ServiceName Service, string Id)> Items, Task<IReadOnlyList<OpResult>> Results)>();
            var batch = new List<(ServiceName Service, string Id)>(InstancesPerRead);
            using var throttle = new SemaphoreSlim(ReadsInFlight);
            async Task SendAsync()
            {
                await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                var ops = batch.Select(i => Op.GetData(_layout.InstancePath(i.Service, i.Id))).ToList();
                batches.Add((batch, ReleaseAfter(client.MultiReadAsync(ops, cancellationToken), throttle)));
                batch = new List<(ServiceName Service, string Id)>(InstancesPerRead);
            }

            foreach (var (service, read) in serviceReads)
            {
                ChildrenResult? serviceChildren;
                try
                {
                    serviceChildren = await read.ConfigureAwait(false);
                }
                catch (NoAuthException)
                {
                    // Its ACL withholds READ from this session: the service is left out, the others still load.
                    unreadable.Add(_layout.ServicePath(service));
                    continue;
                }

                if (serviceChildren is null)
                {
                    continue; // deleted since the base was listed
                }

                services[service] = ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);
                zxid = Math.Max(zxid, serviceChildren.Stat.Pzxid);
                foreach (var id in serviceChildren.Children)
                {
                    batch.Add((service, id));
                    if (batch.Count == InstancesPerRead)
                    {
                        await SendAsync().ConfigureAwait(false);
                    }
                }
            }

            if (batch.Count > 0)
            {
                await SendAsync().ConfigureAwait(false);
            }

            // Build each service's map at once, not one SetItem per instance.
            ImmutableSortedDictionary<string, ServiceInstance>.Builder? instances = null;
            ServiceName? building = null;
            foreach (var (items, read) in batches)
            {
                var results = await read.ConfigureAwait(false);
                for (var i = 0; i < items.Count; i++)
                {
                    var (service, id) = items[i];
                    if (building != service)
                    {
                        if (building is { } done)
                        {
                            services[done] = instances!.ToImmutable();
                        }

                        building = service;
                        instances = ImmutableSortedDictionary.CreateBuilder<string, ServiceInstance>(StringComparer.Ordinal);
                    }

                    if (FromResult(service, id, results[i], ref zxid, unreadable) is { } instance)
                    {
                        instances![id] = instance;
                    }
                }
            }

            if (building is { } last)
            {
                services[last] = instances!.ToImmutable();
            }
        }

        _services = services.ToImmutable();
        _zxid = zxid;
        ReplaceUnreadable(unreadable, _services);
        _refusal = null;
        _published = _services.ToImmutableDictionary(p => p.Key, p => ListOf(p.Value));

        // Fresh before the publish, so a subscriber that reads IsStale on receiving the state sees it fresh.
        Volatile.Write(ref _loaded, true);
        MarkStale(false);
        Publish();
        Log.Loaded(_logger, _services.Count, _services.Values.Sum(s => s.Count), Current.Zxid);
        _firstLoad.TrySetResult();
    }

    private static async Task<T> ReleaseAfter<T>(Task<T> read, SemaphoreSlim throttle)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        finally
        {
            throttle.Release();
        }
    }
}
