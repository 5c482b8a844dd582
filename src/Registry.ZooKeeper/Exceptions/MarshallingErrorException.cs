namespace Registry.ZooKeeper;

/// <summary>A request or reply could not be (de)serialized.</summary>
public sealed class MarshallingErrorException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.MarshallingError, path, message);
