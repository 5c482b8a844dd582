namespace Registry.ZooKeeper;

/// <summary>The node has children.</summary>
public sealed class NotEmptyException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NotEmpty, path, message);
