namespace Registry.ZooKeeper;

/// <summary>The kinds of watch <see cref="ZooKeeperClient.AddWatchAsync"/> sets (ZooKeeper 3.6+).</summary>
public enum AddWatchMode
{
    /// <summary>Fires for data and children changes of the node itself, and stays set.</summary>
    Persistent = 0,
    /// <summary>Fires for creation, deletion and data changes of the node and every node below it, and stays set.</summary>
    PersistentRecursive = 1,
}
