namespace Registry.ZooKeeper;

/// <summary>How a node is created; the values are the protocol's create flags.</summary>
public enum CreateMode
{
    /// <summary>A node that lives until deleted.</summary>
    Persistent = 0,
    /// <summary>A node deleted when the creating session ends.</summary>
    Ephemeral = 1,
    /// <summary>A persistent node whose name gets a monotonically increasing 10-digit suffix.</summary>
    PersistentSequential = 2,
    /// <summary>An ephemeral node whose name gets a monotonically increasing 10-digit suffix.</summary>
    EphemeralSequential = 3,
    /// <summary>A node the server deletes once its last child is deleted (ZooKeeper 3.5.3+).</summary>
    Container = 4,
    /// <summary>A persistent node deleted when it has had no children and no change for its TTL (needs <c>zookeeper.extendedTypesEnabled</c>).</summary>
    PersistentWithTtl = 5,
    /// <summary>A sequential node with a TTL (needs <c>zookeeper.extendedTypesEnabled</c>).</summary>
    PersistentSequentialWithTtl = 6,
}
