namespace Registry.ZooKeeper;

/// <summary>The server throttled the request.</summary>
public sealed class ThrottledException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.Throttled, path, message);
