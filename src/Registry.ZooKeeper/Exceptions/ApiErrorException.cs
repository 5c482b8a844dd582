namespace Registry.ZooKeeper;

/// <summary>A generic API error.</summary>
public sealed class ApiErrorException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.ApiError, path, message);
