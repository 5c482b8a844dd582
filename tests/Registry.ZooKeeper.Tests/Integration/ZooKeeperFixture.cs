using Registry.Testing;

namespace Registry.ZooKeeper.Tests.Integration;

/// <summary>One real standalone ZooKeeper for a collection of tests; each test works under its own chroot.</summary>
public sealed class ZooKeeperFixture : IAsyncLifetime
{
    public ZooKeeperServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var options = new ZooKeeperServerOptions();

        // Collect empty containers within a second instead of a minute.
        options.SystemProperties["znode.container.checkIntervalMs"] = "1000";
        Server = await ZooKeeperServer.StartAsync(options);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "standalone zookeeper";
}
