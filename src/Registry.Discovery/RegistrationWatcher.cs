using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.ZooKeeper;

namespace Registry.Discovery;

/// <summary>
/// Follows everything registered under the base path and publishes it as immutable <see cref="RegistrationState"/>s.
/// One persistent recursive watch, set before the initial full load so that no change falls between the two; then
/// each change is applied incrementally (changes arriving together are applied together). ZooKeeper does not replay
/// what happened while the session was disconnected, so after every reconnect, and on a new session after expiry,
/// the whole subtree is read again. While disconnected the last state stays published and <see cref="IsStale"/> is
/// true. A registration that does not decode is left out, logged once and counted; it never breaks the view.
/// </summary>
public sealed partial class RegistrationWatcher : IAsyncDisposable
{
    private const int MaxReadsInFlight = 2000;

    private readonly ZooKeeperClientOptions _clientOptions;
    private readonly ZooKeeperLayout _layout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<RegistrationState>> _subscribers = [];
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _undecodable = new(StringComparer.Ordinal);
    private ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>> _services =
        ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>>.Empty;

    private ImmutableDictionary<string, long> _zxids = ImmutableDictionary.Create<string, long>(StringComparer.Ordinal);
    private RegistrationState _current = RegistrationState.Empty;
    private ZooKeeperClient? _client;
    private Task _loop = Task.CompletedTask;
    private long _skipped;
    private int _stale = 1;
    private bool _loaded;

    /// <summary>Creates a watcher; <see cref="StartAsync"/> connects and loads.</summary>
    public RegistrationWatcher(ZooKeeperClientOptions clientOptions, ZooKeeperLayout? layout = null)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        _clientOptions = clientOptions;
        _layout = layout ?? ZooKeeperLayout.Default;
        _logger = clientOptions.LoggerFactory?.CreateLogger<RegistrationWatcher>() ?? NullLogger<RegistrationWatcher>.Instance;
    }

    private enum SignalKind
    {
        Changed,
        Reconnected,
        Disconnected,
        Expired,
    }

    /// <summary>The latest published state.</summary>
    public RegistrationState Current => Volatile.Read(ref _current);

    /// <summary>True while the session is not connected (or before the first load): <see cref="Current"/> may be behind.</summary>
    public bool IsStale => Volatile.Read(ref _stale) != 0;

    /// <summary>The current session's id and password; tests use them to expire the session on purpose.</summary>
    internal (long Id, ReadOnlyMemory<byte> Password) SessionForTests => _client is { } c ? (c.SessionId, c.SessionPassword) : default;

    /// <summary>
    /// True once the subtree has been read from ZooKeeper at least once: before that, <see cref="Current"/> is
    /// <see cref="RegistrationState.Empty"/> because nothing is known, not because nothing is registered.
    /// </summary>
    public bool HasLoaded => Volatile.Read(ref _loaded);

    /// <summary>Registrations skipped because their znode did not decode (a metric).</summary>
    public long SkippedRegistrations => Interlocked.Read(ref _skipped);

    /// <summary>Connects, sets the watch, loads everything, and returns once the first state is published.</summary>
    /// <exception cref="KeeperException">ZooKeeper refused the initial load (for example NoAuth on the base path).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        await _firstLoad.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The current state, then every new one; a slow reader skips to the newest (states are complete, not deltas).
    /// When <see cref="IsStale"/> changes, the current state is yielded again, so a reader can follow the flag too.
    /// </summary>
    public async IAsyncEnumerable<RegistrationState> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateBounded<RegistrationState>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_subscribersLock)
        {
            channel.Writer.TryWrite(Current);
            _subscribers.Add(channel);
        }

        try
        {
            await foreach (var state in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
        finally
        {
            lock (_subscribersLock)
            {
                _subscribers.Remove(channel);
            }
        }
    }

    /// <summary>Stops watching and closes the session.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _signals.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        if (_client is { } client)
        {
            await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }

        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
        }

        _stopping.Dispose();
    }

    /// <summary>The single loop that owns the state: every change is applied here, in order.</summary>
    private async Task RunAsync()
    {
        var token = _stopping.Token;
        var needsLoad = true;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (_client is null or { State: SessionState.Expired or SessionState.AuthFailed or SessionState.Closed })
                {
                    await OpenAndLoadAsync(token).ConfigureAwait(false);
                    needsLoad = false;
                }
                else if (needsLoad && _client.State is SessionState.Connected or SessionState.ConnectedReadOnly)
                {
                    await LoadAllAsync(_client, token).ConfigureAwait(false);
                    needsLoad = false;
                }

                // Otherwise (connected, or suspended with the session alive) wait: a reconnect signals a full reload.

                var first = await _signals.Reader.ReadAsync(token).ConfigureAwait(false);
                var batch = new List<Signal> { first };
                while (_signals.Reader.TryRead(out var more))
                {
                    batch.Add(more);
                }

                if (batch.Any(s => s.Kind is SignalKind.Expired))
                {
                    needsLoad = true;
                    continue;
                }

                if (batch.Any(s => s.Kind is SignalKind.Reconnected))
                {
                    // Changes made while disconnected are not replayed by ZooKeeper: read everything again.
                    await LoadAllAsync(_client!, token).ConfigureAwait(false);
                    continue;
                }

                if (batch.Any(s => s.Kind is SignalKind.Disconnected) && batch.All(s => s.Kind is not SignalKind.Changed))
                {
                    continue;
                }

                await ApplyAsync(_client!, batch.Where(s => s.Kind is SignalKind.Changed).Select(s => s.Event!).ToList(), token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (ChannelClosedException)
            {
                return;
            }
            catch (KeeperException ex) when (ex.IsRetryable || ex.IsSessionFatal)
            {
                // The connection went away mid-read; the reconnect (or the new session) reloads everything.
                Log.ReadInterrupted(_logger, ex.Message);
                needsLoad = true;
                await Task.Delay(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The loop must outlive any single failure; the next signal or reload recovers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(_logger, ex);
                _firstLoad.TrySetException(ex);
                needsLoad = true;
                await Task.Delay(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A new session (the first, or after the last one ended), its watch, and a full load.</summary>
    private async Task OpenAndLoadAsync(CancellationToken cancellationToken)
    {
        if (_client is { } old)
        {
            await old.DisposeAsync().ConfigureAwait(false);
            _client = null;
        }

        var client = await ZooKeeperClient.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
        _client = client;
        _ = Task.Run(() => FollowSessionAsync(client), CancellationToken.None);

        // The watch first, then the load: a change made during the load is then reported, never lost.
        await client.AddWatchAsync(_layout.BasePath, Watcher.Create(e =>
        {
            if (e.Type != WatchEventType.None)
            {
                _signals.Writer.TryWrite(new Signal(SignalKind.Changed, e));
            }
        }), AddWatchMode.PersistentRecursive, cancellationToken).ConfigureAwait(false);
        await LoadAllAsync(client, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Turns the session's state changes into signals for the loop.</summary>
    private async Task FollowSessionAsync(ZooKeeperClient client)
    {
        var wasConnected = true;
        try
        {
            await foreach (var state in client.WatchStateAsync(_stopping.Token).ConfigureAwait(false))
            {
                switch (state)
                {
                    case SessionState.Connected or SessionState.ConnectedReadOnly when !wasConnected:
                        wasConnected = true;
                        _signals.Writer.TryWrite(new Signal(SignalKind.Reconnected, null));
                        break;
                    case SessionState.Suspended:
                        wasConnected = false;
                        MarkStale(true);
                        _signals.Writer.TryWrite(new Signal(SignalKind.Disconnected, null));
                        break;
                    case SessionState.Expired:
                        MarkStale(true);
                        Log.SessionExpired(_logger, client.SessionId);
                        _signals.Writer.TryWrite(new Signal(SignalKind.Expired, null));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads the whole subtree and publishes it as the new state.</summary>
    private async Task LoadAllAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        var services = ImmutableDictionary.CreateBuilder<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>>();
        var zxids = ImmutableDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        var children = await ChildrenOrNullAsync(client, _layout.BasePath, cancellationToken).ConfigureAwait(false);
        if (children is not null)
        {
            zxids[_layout.BasePath] = children.Stat.Pzxid;
            var serviceReads = new List<(ServiceName Name, Task<ChildrenResult?> Children)>();
            foreach (var name in children.Children)
            {
                if (ParseService(name) is { } service)
                {
                    serviceReads.Add((service, ChildrenOrNullAsync(client, _layout.ServicePath(service), cancellationToken)));
                }
            }

            var instanceReads = new List<(ServiceName Service, string Id, Task<DataResult?> Data)>();
            using var throttle = new SemaphoreSlim(MaxReadsInFlight);
            foreach (var (service, read) in serviceReads)
            {
                if (await read.ConfigureAwait(false) is not { } serviceChildren)
                {
                    continue; // deleted since the base was listed
                }

                services[service] = ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);
                zxids[_layout.ServicePath(service)] = serviceChildren.Stat.Pzxid;
                foreach (var id in serviceChildren.Children)
                {
                    await throttle.WaitAsync(cancellationToken).ConfigureAwait(false);
                    instanceReads.Add((service, id, ReleaseAfter(DataOrNullAsync(client, _layout.InstancePath(service, id), cancellationToken), throttle)));
                }
            }

            foreach (var (service, id, read) in instanceReads)
            {
                if (await read.ConfigureAwait(false) is { } data && Decode(service, id, data) is { } instance)
                {
                    services[service] = services[service].SetItem(id, instance);
                    zxids[instance.Source!.Path] = data.Stat.Mzxid;
                }
            }
        }

        _services = services.ToImmutable();
        _zxids = zxids.ToImmutable();
        // Fresh before the publish, so a subscriber that reads IsStale on receiving the state sees it fresh.
        Volatile.Write(ref _loaded, true);
        MarkStale(false);
        Publish();
        Log.Loaded(_logger, _services.Count, _services.Values.Sum(s => s.Count), Current.Zxid);
        _firstLoad.TrySetResult();
    }

    /// <summary>Applies a batch of watch events: the nodes they name are read again (in parallel) and the state published once.</summary>
    private async Task ApplyAsync(ZooKeeperClient client, List<WatchedEvent> events, CancellationToken cancellationToken)
    {
        var touched = events.Select(e => e.Path!).Distinct(StringComparer.Ordinal).ToList();
        var reads = new List<(string Path, Task<DataResult?> Data, Task<Stat?> Parent)>();
        foreach (var path in touched)
        {
            reads.Add((path, DataOrNullAsync(client, path, cancellationToken), StatOrNullAsync(client, Parent(path), cancellationToken)));
        }

        var services = _services;
        var zxids = _zxids;
        foreach (var (path, dataRead, parentRead) in reads)
        {
            var data = await dataRead.ConfigureAwait(false);
            var parentStat = await parentRead.ConfigureAwait(false);
            var kind = Classify(path);
            if (kind.Service is not null)
            {
                // The parent is the base or a service node: its pzxid records creations and deletions below it.
                var parent = Parent(path);
                zxids = parentStat is null ? zxids.Remove(parent) : zxids.SetItem(parent, parentStat.Pzxid);
            }

            switch (kind)
            {
                case (null, null):
                    if (path == _layout.BasePath && data is null)
                    {
                        services = services.Clear();
                        zxids = zxids.Clear();
                    }

                    break;
                case ({ } service, null):
                    if (data is null)
                    {
                        services = services.Remove(service);
                        zxids = zxids.Remove(path);
                    }
                    else if (!services.ContainsKey(service))
                    {
                        services = services.SetItem(service, ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal));
                        zxids = zxids.SetItem(path, data.Stat.Pzxid);
                    }

                    break;
                case ({ } service, { } id):
                    var instances = services.TryGetValue(service, out var existing) ? existing : ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);
                    if (data is not null && Decode(service, id, data) is { } instance)
                    {
                        services = services.SetItem(service, instances.SetItem(id, instance));
                        zxids = zxids.SetItem(path, data.Stat.Mzxid);
                    }
                    else
                    {
                        if (parentStat is not null || instances.ContainsKey(id))
                        {
                            services = services.SetItem(service, instances.Remove(id));
                        }

                        zxids = zxids.Remove(path);
                        if (data is null)
                        {
                            _undecodable.Remove(path);
                        }
                    }

                    break;
            }
        }

        _services = services;
        _zxids = zxids;
        Publish();
    }

    private ServiceInstance? Decode(ServiceName service, string id, DataResult data)
    {
        var path = _layout.InstancePath(service, id);
        var result = ServiceInstanceCodec.Decode(data.Data, service.Value, id, new ZnodeSource(path, data.Stat.EphemeralOwner, data.Stat.Czxid, data.Stat.Mzxid));
        if (result.IsSuccess)
        {
            _undecodable.Remove(path);
            return result.Instance;
        }

        Interlocked.Increment(ref _skipped);
        if (_undecodable.Add(path))
        {
            Log.Undecodable(_logger, path, result.Error!);
        }

        return null;
    }

    private ServiceName? ParseService(string name)
    {
        if (ServiceName.TryParse(name, out var service, out var error))
        {
            return service;
        }

        var path = $"{_layout.BasePath.TrimEnd('/')}/{name}";
        if (_undecodable.Add(path))
        {
            Interlocked.Increment(ref _skipped);
            Log.InvalidServiceName(_logger, path, error!);
        }

        return null;
    }

    /// <summary>(service, instance id) for a path below the base; nulls for the base itself or anything else.</summary>
    private (ServiceName? Service, string? Id) Classify(string path)
    {
        var prefix = _layout.BasePath.TrimEnd('/') + "/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (null, null);
        }

        var parts = path[prefix.Length..].Split('/');
        var service = parts.Length is 1 or 2 ? ParseService(parts[0]) : null;
        return parts.Length switch
        {
            1 => (service, null),
            2 when service is not null => (service, parts[1]),
            _ => (null, null),
        };
    }

    private void Publish()
    {
        var services = _services.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyList<ServiceInstance>)kv.Value.Values.ToImmutableArray());
        var state = new RegistrationState(services, _zxids.IsEmpty ? 0 : _zxids.Values.Max());
        Volatile.Write(ref _current, state);
        lock (_subscribersLock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(state);
            }
        }
    }

    private void MarkStale(bool stale)
    {
        if (Interlocked.Exchange(ref _stale, stale ? 1 : 0) != (stale ? 1 : 0))
        {
            Log.StaleChanged(_logger, stale);

            // Subscribers learn of the flag through the stream: the same state again, to be read with IsStale.
            lock (_subscribersLock)
            {
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Writer.TryWrite(Current);
                }
            }
        }
    }

    private static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    private static async Task<DataResult?> ReleaseAfter(Task<DataResult?> read, SemaphoreSlim throttle)
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

    private static async Task<ChildrenResult?> ChildrenOrNullAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetChildrenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    private static async Task<DataResult?> DataOrNullAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetDataAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    private static Task<Stat?> StatOrNullAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken) =>
        client.ExistsAsync(path, cancellationToken: cancellationToken);

    private sealed record Signal(SignalKind Kind, WatchedEvent? Event);
}
