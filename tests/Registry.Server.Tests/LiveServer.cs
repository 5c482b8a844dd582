using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>
/// A real ZooKeeper with <c>/services</c>, a ZooKeeper session to register with, and a registry-server process over
/// them serving the test zones: what the process-level DNS tests each start, written once. It owns the zones and
/// disposes everything it started, also when the start fails halfway.
/// </summary>
internal sealed class LiveServer : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private LiveServer(TestZones zones, ZooKeeperServer zooKeeper, ZooKeeperClient client, RegistryServerProcess server)
    {
        Zones = zones;
        ZooKeeper = zooKeeper;
        Client = client;
        Server = server;
    }

    public TestZones Zones { get; }

    public ZooKeeperServer ZooKeeper { get; }

    public ZooKeeperClient Client { get; }

    public RegistryServerProcess Server { get; }

    /// <summary>
    /// Starts ZooKeeper, creates <c>/services</c>, runs <paramref name="seed"/> (registrations the server must find at
    /// its start), then starts the server on <paramref name="zones"/> with <paramref name="extraArguments"/> and waits until it is ready.
    /// </summary>
    public static async Task<LiveServer> StartAsync(TestZones zones, Func<ZooKeeperClient, Task>? seed = null, params string[] extraArguments)
    {
        ZooKeeperServer? zooKeeper = null;
        ZooKeeperClient? client = null;
        RegistryServerProcess? server = null;
        try
        {
            zooKeeper = await ZooKeeperServer.StartAsync();
            client = await ZooKeeperClient.ConnectAsync(zooKeeper.ConnectString);
            await client.CreateAsync("/services", default);
            if (seed is not null)
            {
                await seed(client);
            }

            server = RegistryServerProcess.Start(["--zookeeper", zooKeeper.ConnectString, "--zones", zones.Directory, "--data-dir", zones.DataDirectory, .. extraArguments]);
            await server.WaitReadyAsync();
            return new LiveServer(zones, zooKeeper, client, server);
        }
        catch
        {
            await DisposeAllAsync(server, client, zooKeeper, zones);
            throw;
        }
    }

    /// <summary>
    /// <see cref="StartAsync"/> with instance <c>ap1</c> of <c>web</c> registered at 127.0.0.1:4070 (the test zones'
    /// declared target <c>ap1.hosts</c>), returning once the server's view holds it.
    /// </summary>
    public static async Task<LiveServer> StartWithWebAp1Async(TestZones zones, params string[] extraArguments)
    {
        var live = await StartAsync(
            zones,
            async client =>
            {
                await client.CreateAsync("/services/web", default, CreateMode.Container);
                await client.CreateAsync("/services/web/ap1", ServerViewTests.Curator("ap1", "127.0.0.1", 4070), CreateMode.Ephemeral);
            },
            extraArguments);
        try
        {
            await live.Server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1"]), Deadline, "ap1 is in the view");
            return live;
        }
        catch
        {
            await live.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(DisposeAllAsync(Server, Client, ZooKeeper, Zones));

    private static async Task DisposeAllAsync(RegistryServerProcess? server, ZooKeeperClient? client, ZooKeeperServer? zooKeeper, TestZones zones)
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (client is not null)
        {
            await client.DisposeAsync();
        }

        if (zooKeeper is not null)
        {
            await zooKeeper.DisposeAsync();
        }

        zones.Dispose();
    }
}
