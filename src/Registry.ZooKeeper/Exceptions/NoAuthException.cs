namespace Registry.ZooKeeper;

/// <summary>The session is not authorized for the operation on the node.</summary>
public sealed class NoAuthException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NoAuth, path, message);
