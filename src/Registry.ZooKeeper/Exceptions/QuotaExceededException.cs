namespace Registry.ZooKeeper;

/// <summary>A quota was exceeded.</summary>
public sealed class QuotaExceededException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.QuotaExceeded, path, message);
