namespace Registry.ZooKeeper;

/// <summary>Dynamic reconfiguration is disabled.</summary>
public sealed class ReconfigDisabledException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.ReconfigDisabled, path, message);
