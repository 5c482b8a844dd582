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
/// true. A registration that does not decode, or a service or instance node the session may not read (NoAuth), is
/// left out, logged once and counted; it never breaks the view.
/// </summary>
public sealed partial class RegistrationWatcher : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _clientOptions;
    private readonly ZooKeeperLayout _layout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _subscribersLock = new();
    private readonly List<Channel<RegistrationState>> _subscribers = [];
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HashSet<string> _undecodable = new(StringComparer.Ordinal);

    // Service and instance nodes left out because the session may not read them (see RegistrationWatcher.Access.cs).
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);
    private ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>> _services =
        ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>>.Empty;

    // What is published: one list per service, rebuilt only for the services a batch touched, so that publishing a
    // change costs O(that service) and the lists of the others stay the same objects (ViewSnapshot reuses their merge).
    private ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>> _published = ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>>.Empty;

    // The highest zxid of the state (see ZxidOf): a running maximum, because what leaves the state never lowers it.
    private long _zxid;
    private RegistrationState _current = RegistrationState.Empty;
    private ZooKeeperClient? _client;
    private Task _loop = Task.CompletedTask;
    private long _skipped;
    private int _stale = 1;
    private bool _loaded;

    // The refusal (NoAuth on the base path, AuthFailed) logged last; cleared by a successful load.
    private string? _refusal;

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

    /// <summary>
    /// Registrations skipped (a metric): each time a znode does not decode, and once for each service node with an
    /// invalid name and each service or instance node the session may not read, while it stays so.
    /// </summary>
    public long SkippedRegistrations => Interlocked.Read(ref _skipped);

    /// <summary>Connects, sets the watch, loads everything, and returns once the first state is published.</summary>
    /// <exception cref="KeeperException">
    /// ZooKeeper refused the initial load: <see cref="NoAuthException"/> on the base path, <see cref="AuthFailedException"/>
    /// for the credential. The watcher keeps trying in the background either way.
    /// </exception>
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
            catch (KeeperException ex) when (ex is AuthFailedException || (ex is NoAuthException && ex.Path == _layout.BasePath))
            {
                // A new session would be refused the same way at once: say so once, and try again slowly, on a new
                // session (which sets the watch again too, in case ZooKeeper refused that as well).
                LogRefusal(ex);
                _firstLoad.TrySetException(ex);
                MarkStale(true);
                needsLoad = true;
                if (_client is { } refused)
                {
                    await refused.DisposeAsync().ConfigureAwait(false);
                }

                await PauseAsync(RefusedRetry, token).ConfigureAwait(false);
            }
            catch (KeeperException ex) when (ex.IsRetryable || ex.IsSessionFatal)
            {
                // The connection went away mid-read; the reconnect (or the new session) reloads everything.
                Log.ReadInterrupted(_logger, ex.Message);
                needsLoad = true;
                await PauseAsync(TimeSpan.FromMilliseconds(100), token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The loop must outlive any single failure; the next signal or reload recovers.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.LoopFailed(_logger, ex);
                _firstLoad.TrySetException(ex);
                needsLoad = true;
                await PauseAsync(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits before the loop tries again; disposal ends the wait quietly, so the loop sees the token and returns
    /// (a cancellation thrown from a catch block would escape the loop and fail <see cref="DisposeAsync"/>).
    /// </summary>
    private static async Task PauseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
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
                    case SessionState.AuthFailed:
                        // The credential was refused on a reconnect: like expiry, only a new session can go on.
                        MarkStale(true);
                        _signals.Writer.TryWrite(new Signal(SignalKind.Expired, null));
                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Applies a batch of watch events: the nodes they name are read again (in parallel, one round trip) and the state
    /// published once. Costs O(events) reads and map updates, plus rebuilding the lists of the services touched.
    /// </summary>
    private async Task ApplyAsync(ZooKeeperClient client, List<WatchedEvent> events, CancellationToken cancellationToken)
    {
        var touched = events.Select(e => e.Path!).Distinct(StringComparer.Ordinal).ToList();
        var reads = new List<(string Path, Task<(DataResult? Data, bool Denied)> Data, Task<Stat?> Parent)>(touched.Count);
        foreach (var path in touched)
        {
            reads.Add((path, ReadNodeAsync(client, path, cancellationToken), StatOrNullAsync(client, Parent(path), cancellationToken)));
        }

        var before = _services;
        var services = before;
        var zxid = _zxid;
        var changed = new HashSet<ServiceName>();

        // Unreadable services that had an event: each is read again as a whole after the batch.
        var recheck = new HashSet<ServiceName>();
        foreach (var (path, dataRead, parentRead) in reads)
        {
            var (data, denied) = await dataRead.ConfigureAwait(false);
            var parentStat = await parentRead.ConfigureAwait(false);
            var (service, id, depth) = Classify(path);
            if (service is { } hidden && id is not null && _unreadable.Contains(_layout.ServicePath(hidden)))
            {
                // The full load cannot list this service, so no event may add to it either: the service is looked
                // at as a whole instead (its ACL may have changed, which ZooKeeper announces to no one).
                recheck.Add(hidden);
                continue;
            }

            zxid = Math.Max(zxid, ZxidOf(depth, service is not null, data, parentStat));
            switch (service, id)
            {
                case (null, null):
                    if (path == _layout.BasePath && denied)
                    {
                        throw new NoAuthException(path, "reading the base path after a change");
                    }

                    if (path == _layout.BasePath && data is null)
                    {
                        changed.UnionWith(services.Keys);
                        services = services.Clear();
                        zxid = 0;
                    }

                    break;
                case ({ } name, null):
                    if (denied)
                    {
                        services = services.Remove(name);
                        recheck.Remove(name);
                        MarkUnreadable(path);
                    }
                    else if (data is null)
                    {
                        services = services.Remove(name);
                        ForgetUnreadableUnder(path);
                    }
                    else if (_unreadable.Contains(path))
                    {
                        recheck.Add(name); // readable now: the instances already below it raise no events
                    }
                    else if (!services.ContainsKey(name))
                    {
                        services = services.SetItem(name, ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal));
                    }

                    changed.Add(name);
                    break;
                case ({ } name, { } instanceId):
                    var instances = services.TryGetValue(name, out var existing) ? existing : ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);
                    if (denied)
                    {
                        MarkUnreadable(path);
                    }
                    else
                    {
                        MarkReadable(path, isService: false);
                    }

                    if (data is not null && Decode(name, instanceId, data) is { } instance)
                    {
                        services = services.SetItem(name, instances.SetItem(instanceId, instance));
                    }
                    else
                    {
                        if (parentStat is not null || instances.ContainsKey(instanceId))
                        {
                            services = services.SetItem(name, instances.Remove(instanceId));
                        }

                        if (data is null)
                        {
                            _undecodable.Remove(path);
                        }
                    }

                    changed.Add(name);
                    break;
            }
        }

        foreach (var name in recheck)
        {
            var (instances, serviceZxid, denied) = await ReadServiceAsync(client, name, cancellationToken).ConfigureAwait(false);
            if (denied)
            {
                continue; // still unreadable, and already logged
            }

            MarkReadable(_layout.ServicePath(name), isService: true);
            services = instances is null ? services.Remove(name) : services.SetItem(name, instances);
            zxid = Math.Max(zxid, serviceZxid);
            changed.Add(name);
        }

        var published = _published;
        foreach (var name in changed)
        {
            var was = before.GetValueOrDefault(name);
            var now = services.GetValueOrDefault(name);
            if (!ReferenceEquals(was, now) || published.ContainsKey(name) != now is not null)
            {
                published = now is null ? published.Remove(name) : published.SetItem(name, ListOf(now));
            }
        }

        _services = services;
        _published = published;
        _zxid = zxid;
        Publish();
    }

    /// <summary>
    /// What a read after an event adds to the state's zxid, which is the highest of: the base node's pzxid, each
    /// service node's pzxid, and each instance node's mzxid (decodable or not). It is kept as a running maximum, and
    /// the maximum over the nodes present is all it can ever be: a node's zxids only grow while it exists, and its
    /// deletion raises its parent's pzxid above them (the base's deletion empties the state, zxid 0). So after the
    /// events settle, it equals what a full load of the same state computes, on any server.
    /// </summary>
    /// <param name="depth">0 for the base, 1 for a service node, 2 for an instance node, -1 for anything else.</param>
    /// <param name="validService">Whether the service name of a depth 1 or 2 path parses.</param>
    /// <param name="data">The node as read after the event; null when it no longer exists.</param>
    /// <param name="parent">The parent node as read after the event; null when it no longer exists.</param>
    private static long ZxidOf(int depth, bool validService, DataResult? data, Stat? parent) => depth switch
    {
        0 => data?.Stat.Pzxid ?? 0,

        // The base's pzxid moves on any child's creation or deletion, a valid service name or not.
        1 => Math.Max(parent?.Pzxid ?? 0, validService ? data?.Stat.Pzxid ?? 0 : 0),
        2 when validService => Math.Max(parent?.Pzxid ?? 0, data?.Stat.Mzxid ?? 0),
        _ => 0,
    };

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

    /// <summary>
    /// (service, instance id, depth) for a path: depth 0 for the base itself, 1 for a service node, 2 for an instance
    /// node, -1 for anything else. The service is null when its name does not parse, the id when depth is not 2.
    /// </summary>
    private (ServiceName? Service, string? Id, int Depth) Classify(string path)
    {
        if (path == _layout.BasePath)
        {
            return (null, null, 0);
        }

        var prefix = _layout.BasePath.TrimEnd('/') + "/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return (null, null, -1);
        }

        var parts = path[prefix.Length..].Split('/');
        var service = parts.Length is 1 or 2 ? ParseService(parts[0]) : null;
        return parts.Length switch
        {
            1 => (service, null, 1),
            2 when service is not null => (service, parts[1], 2),
            2 => (null, null, 2),
            _ => (null, null, -1),
        };
    }

    /// <summary>A service's published list: its instances in id order, as an immutable array (boxed once, here).</summary>
    private static IReadOnlyList<ServiceInstance> ListOf(ImmutableSortedDictionary<string, ServiceInstance> instances)
    {
        IReadOnlyList<ServiceInstance> list = instances.Values.ToImmutableArray();
        return list;
    }

    private void Publish()
    {
        var state = new RegistrationState(_published, _zxid);
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
