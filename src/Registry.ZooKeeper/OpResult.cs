namespace Registry.ZooKeeper;

/// <summary>The outcome of one operation of a multi, or of a single create.</summary>
public abstract record OpResult;

/// <summary>A node was created at <paramref name="Path"/> (the actual name for sequential nodes).</summary>
/// <param name="Path">The created node's path.</param>
/// <param name="Stat">The new node's Stat; null inside a multi, where the server replies with the path alone.</param>
public sealed record CreateResult(string Path, Stat? Stat) : OpResult;

/// <summary>A node was deleted.</summary>
public sealed record DeleteResult : OpResult;

/// <summary>A node's data was set; <paramref name="Stat"/> is the node's new Stat.</summary>
public sealed record SetDataResult(Stat Stat) : OpResult;

/// <summary>A version check passed.</summary>
public sealed record CheckResult : OpResult;

/// <summary>
/// In a failed multi, every operation's result: <see cref="KeeperErrorCode.Ok"/> for those before the failure
/// (rolled back), the failure's own code, and <see cref="KeeperErrorCode.RuntimeInconsistency"/> after it.
/// </summary>
public sealed record ErrorResult(KeeperErrorCode Code) : OpResult;

/// <summary>The outcome of a getData in <see cref="ZooKeeperClient.MultiReadAsync"/>.</summary>
/// <param name="Data">The node's data.</param>
/// <param name="Stat">The node's metadata.</param>
public sealed record GetDataResult(byte[] Data, Stat Stat) : OpResult;

/// <summary>The outcome of a getChildren in <see cref="ZooKeeperClient.MultiReadAsync"/> (the server sends no Stat for it).</summary>
/// <param name="Children">The children's names, in the server's order.</param>
public sealed record GetChildrenResult(IReadOnlyList<string> Children) : OpResult;
