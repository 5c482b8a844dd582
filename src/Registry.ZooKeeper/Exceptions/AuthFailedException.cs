namespace Registry.ZooKeeper;

/// <summary>Authentication failed; the session is closed.</summary>
public sealed class AuthFailedException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.AuthFailed, path, message);
