namespace Registry.ZooKeeper;

/// <summary>A write was sent to a read-only server.</summary>
public sealed class NotReadOnlyException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.NotReadOnly, path, message);
