namespace Registry.ZooKeeper;

/// <summary>Ephemeral nodes cannot have children.</summary>
public sealed class NoChildrenForEphemeralsException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NoChildrenForEphemerals, path, message);
