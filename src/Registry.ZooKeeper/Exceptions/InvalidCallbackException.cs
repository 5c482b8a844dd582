namespace Registry.ZooKeeper;

/// <summary>An invalid callback.</summary>
public sealed class InvalidCallbackException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.InvalidCallback, path, message);
