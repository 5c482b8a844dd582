using Registry.ZooKeeper.Internal;
using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper;

/// <summary>Persistent watches and watch removal.</summary>
public sealed partial class ZooKeeperClient
{
    private volatile bool _typedPersistentRemovalUnsupported;

    /// <summary>
    /// Sets a watch that stays set (ZooKeeper 3.6+): <see cref="AddWatchMode.Persistent"/> fires for the node's data and
    /// children changes, <see cref="AddWatchMode.PersistentRecursive"/> for creation, deletion and data changes of the
    /// node and every node below it. It survives reconnects; it ends with the session or <see cref="RemoveWatchesAsync"/>.
    /// </summary>
    /// <exception cref="ConnectionLossException">The connection was lost: the watch may or may not be set; retry.</exception>
    public async Task AddWatchAsync(string path, IWatcher watcher, AddWatchMode mode, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        ArgumentNullException.ThrowIfNull(watcher);
        var kind = mode == AddWatchMode.PersistentRecursive ? WatchKind.PersistentRecursive : WatchKind.Persistent;
        await SendAsync<AddWatchRequest, EmptyResponse>(new(ToServer(path), mode), path, new WatchRegistration(kind, path, watcher), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes <paramref name="watcher"/>'s watches of <paramref name="type"/> on <paramref name="path"/>. The watcher gets a
    /// DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event. The server's watch is removed once no watcher is
    /// left on it; with <paramref name="local"/>, only the client forgets the watcher (useful while disconnected).
    /// </summary>
    /// <exception cref="NoWatcherException">The watcher has no such watch on the path.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost; nothing was removed.</exception>
    public Task RemoveWatchesAsync(string path, IWatcher watcher, WatcherType type, bool local = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        return RemoveWatchesCoreAsync(path, watcher, type, local, cancellationToken);
    }

    /// <summary>Removes every watcher's watches of <paramref name="type"/> on <paramref name="path"/>.</summary>
    /// <inheritdoc cref="RemoveWatchesAsync"/>
    public Task RemoveAllWatchesAsync(string path, WatcherType type, bool local = false, CancellationToken cancellationToken = default) =>
        RemoveWatchesCoreAsync(path, null, type, local, cancellationToken);

    private async Task RemoveWatchesCoreAsync(string path, IWatcher? watcher, WatcherType type, bool local, CancellationToken cancellationToken)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var kinds = _watches.Find(path, watcher, type);
        if (kinds.Count == 0)
        {
            throw new NoWatcherException(path, watcher is null ? $"no {type} watch is set" : $"the watcher has no {type} watch here");
        }

        var rearm = false;
        if (!local)
        {
            foreach (var serverType in _watches.ServerWatchesEmptiedBy(path, watcher, kinds))
            {
                rearm |= await RemoveServerWatchAsync(path, serverType, cancellationToken).ConfigureAwait(false);
            }
        }

        var removed = _watches.Remove(path, watcher, kinds);
        foreach (var (removedWatcher, kind) in removed)
        {
            _events.Enqueue(removedWatcher, new WatchedEvent(WatchManager.RemovalEventFor(kind), State, path));
        }

        if (rearm)
        {
            await RearmAsync(path, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the server's watch of one type on a path; true when that also removed the path's other watches.</summary>
    private async Task<bool> RemoveServerWatchAsync(string path, WatcherType type, CancellationToken cancellationToken)
    {
        var persistent = type is WatcherType.Persistent or WatcherType.PersistentRecursive;
        if (!persistent || !_typedPersistentRemovalUnsupported)
        {
            try
            {
                await SendRemoveWatchesAsync(path, type, cancellationToken).ConfigureAwait(false);
                return false;
            }
            catch (MarshallingErrorException) when (persistent)
            {
                // Servers before 3.9 do not know the persistent watcher types (ZOOKEEPER-4472).
                _typedPersistentRemovalUnsupported = true;
            }
        }

        // On those servers only Any reaches a persistent watch, and it removes every watch of the session on the path.
        await SendRemoveWatchesAsync(path, WatcherType.Any, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task SendRemoveWatchesAsync(string path, WatcherType type, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync<RemoveWatchesRequest, EmptyResponse>(new(OpCode.RemoveWatches, ToServer(path), type), path, null, cancellationToken).ConfigureAwait(false);
        }
        catch (NoWatcherException)
        {
            // The server had already dropped it (it fired meanwhile): the client's record is what is left to remove.
        }
    }

    /// <summary>
    /// Sets again the watches other watchers still hold on <paramref name="path"/>, relative to the last zxid seen,
    /// so a change made in between is reported rather than lost.
    /// </summary>
    private async Task RearmAsync(string path, CancellationToken cancellationToken)
    {
        var request = new SetWatches2Request(LastZxid, [], [], [], [], []);
        var any = false;
        foreach (var kind in _watches.KindsOn(path))
        {
            any = true;
            request.ListFor(kind).Add(ToServer(path));
        }

        if (any)
        {
            await SendAsync<SetWatches2Request, EmptyResponse>(request, path, null, cancellationToken, xid: Xids.SetWatches).ConfigureAwait(false);
        }
    }
}
