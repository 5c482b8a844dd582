namespace Registry.ZooKeeper;

/// <summary>No quorum of the new configuration is connected.</summary>
public sealed class NewConfigNoQuorumException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NewConfigNoQuorum, path, message);
