namespace Registry.Testing;

/// <summary>How a <see cref="ZooKeeperServer"/> is run.</summary>
public enum ZooKeeperBackend
{
    /// <summary>
    /// Follow the <c>REGISTRY_TEST_ZOOKEEPER</c> environment variable (<c>process</c>, <c>docker</c> or <c>auto</c>);
    /// when it is unset or <c>auto</c>, use Docker if an engine answers a ping within a second, else a local process.
    /// </summary>
    Auto,

    /// <summary>A local <c>java</c> child process running the installed ZooKeeper jar.</summary>
    Process,

    /// <summary>A Testcontainers-managed <c>zookeeper:3.8</c> container (standalone servers only).</summary>
    Docker,
}
