namespace Registry.ZooKeeper;

/// <summary>The server does not know the session.</summary>
public sealed class UnknownSessionException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.UnknownSession, path, message);
