namespace Registry.ZooKeeper;

/// <summary>The connection was lost before the reply arrived: the outcome is unknown. Retry after reconnecting.</summary>
public sealed class ConnectionLossException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.ConnectionLoss, path, message);
