namespace Registry.ZooKeeper;

/// <summary>A server-side system error.</summary>
public sealed class SystemErrorException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.SystemError, path, message);
