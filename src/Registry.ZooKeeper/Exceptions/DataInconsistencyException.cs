namespace Registry.ZooKeeper;

/// <summary>A data inconsistency on the server.</summary>
public sealed class DataInconsistencyException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.DataInconsistency, path, message);
