namespace Registry.ZooKeeper;

/// <summary>The server rejected the arguments.</summary>
public sealed class BadArgumentsException(string? path = null, string? message = null)
    : KeeperException(KeeperErrorCode.BadArguments, path, message);
