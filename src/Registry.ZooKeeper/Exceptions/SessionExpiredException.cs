namespace Registry.ZooKeeper;

/// <summary>The session expired: its ephemeral nodes and watches are gone. Open a new client.</summary>
public sealed class SessionExpiredException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.SessionExpired, path, message);
