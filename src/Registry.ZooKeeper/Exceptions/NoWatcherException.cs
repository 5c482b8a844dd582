namespace Registry.ZooKeeper;

/// <summary>No watch matched the removal request.</summary>
public sealed class NoWatcherException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NoWatcher, path, message);
