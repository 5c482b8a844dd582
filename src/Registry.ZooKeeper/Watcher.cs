namespace Registry.ZooKeeper;

/// <summary>Adapts delegates to <see cref="IWatcher"/>.</summary>
public static class Watcher
{
    /// <summary>A watcher that calls <paramref name="callback"/>.</summary>
    public static IWatcher Create(Action<WatchedEvent> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new ActionWatcher(callback);
    }

    /// <summary>A watcher that awaits <paramref name="callback"/>.</summary>
    public static IWatcher Create(Func<WatchedEvent, ValueTask> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new AsyncWatcher(callback);
    }

    private sealed class ActionWatcher(Action<WatchedEvent> callback) : IWatcher
    {
        public ValueTask ProcessAsync(WatchedEvent watchedEvent)
        {
            callback(watchedEvent);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class AsyncWatcher(Func<WatchedEvent, ValueTask> callback) : IWatcher
    {
        public ValueTask ProcessAsync(WatchedEvent watchedEvent) => callback(watchedEvent);
    }
}
