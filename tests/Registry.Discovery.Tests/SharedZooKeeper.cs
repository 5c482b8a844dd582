using Registry.Testing;

namespace Registry.Discovery.Tests;

/// <summary>One real ZooKeeper for a test class whose tests each work under a chroot of their own.</summary>
public sealed class SharedZooKeeper : IAsyncLifetime
{
    public ZooKeeperServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
