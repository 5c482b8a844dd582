namespace Registry.ZooKeeper;

/// <summary>The server does not implement the operation.</summary>
public sealed class UnimplementedException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.Unimplemented, path, message);
