namespace Registry.ZooKeeper;

/// <summary>The session was closed because SASL authentication is required.</summary>
public sealed class SessionClosedRequireSaslAuthException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.SessionClosedRequireSaslAuth, path, message);
