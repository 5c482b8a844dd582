namespace Registry.ZooKeeper.Internal;

/// <summary>The kinds of watch the client tracks; each is re-armed separately by setWatches2.</summary>
internal enum WatchKind
{
    Data,
    Exist,
    Child,
    Persistent,
    PersistentRecursive,
}

/// <summary>A watch a request asked for, recorded when its reply shows the server set it.</summary>
internal sealed record WatchRegistration(WatchKind Kind, string ClientPath, IWatcher Watcher)
{
    /// <summary>
    /// exists sets a watch even when the node is missing (it then fires on creation); every other
    /// watch is set only on success. exists on an existing node is a data watch.
    /// </summary>
    public WatchKind? KindFor(KeeperErrorCode err) => (Kind, err) switch
    {
        (WatchKind.Exist, KeeperErrorCode.Ok) => WatchKind.Data,
        (WatchKind.Exist, KeeperErrorCode.NoNode) => WatchKind.Exist,
        (_, KeeperErrorCode.Ok) => Kind,
        _ => null,
    };
}
