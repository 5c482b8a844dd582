namespace Registry.ZooKeeper;

/// <summary>The ACL is invalid (for example empty, or an auth ACL without authentication).</summary>
public sealed class InvalidAclException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.InvalidAcl, path, message);
