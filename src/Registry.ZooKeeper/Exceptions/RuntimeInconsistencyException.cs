namespace Registry.ZooKeeper;

/// <summary>A runtime inconsistency; in a failed multi, the operations after the one that failed.</summary>
public sealed class RuntimeInconsistencyException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.RuntimeInconsistency, path, message);
