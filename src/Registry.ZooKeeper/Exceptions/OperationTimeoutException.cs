namespace Registry.ZooKeeper;

/// <summary>The operation timed out.</summary>
public sealed class OperationTimeoutException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.OperationTimeout, path, message);
