namespace Registry.ZooKeeper;

/// <summary>The node does not exist.</summary>
public sealed class NoNodeException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NoNode, path, message);
