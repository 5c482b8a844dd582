namespace Registry.ZooKeeper;

/// <summary>An ephemeral node cannot be created on a local session.</summary>
public sealed class EphemeralOnLocalSessionException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.EphemeralOnLocalSession, path, message);
