namespace Registry.ZooKeeper;

/// <summary>Which watches <see cref="ZooKeeperClient.RemoveWatchesAsync"/> removes.</summary>
public enum WatcherType
{
    /// <summary>Child watches (set by getChildren).</summary>
    Children = 1,
    /// <summary>Data watches (set by getData and exists).</summary>
    Data = 2,
    /// <summary>Every kind of watch.</summary>
    Any = 3,
    /// <summary>Persistent watches (AddWatchMode.Persistent).</summary>
    Persistent = 4,
    /// <summary>Persistent recursive watches (AddWatchMode.PersistentRecursive).</summary>
    PersistentRecursive = 5,
}
