namespace Registry.ZooKeeper;

/// <summary>The node already exists.</summary>
public sealed class NodeExistsException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NodeExists, path, message);
