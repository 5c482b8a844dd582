namespace Registry.ZooKeeper;

/// <summary>Another reconfiguration is in progress.</summary>
public sealed class ReconfigInProgressException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.ReconfigInProgress, path, message);
