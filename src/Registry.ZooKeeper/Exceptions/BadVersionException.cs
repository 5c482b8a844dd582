namespace Registry.ZooKeeper;

/// <summary>The expected version did not match the node's version.</summary>
public sealed class BadVersionException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.BadVersion, path, message);
