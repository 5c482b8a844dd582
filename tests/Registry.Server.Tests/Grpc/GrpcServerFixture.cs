using Grpc.Net.Client;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.Testing;
using Registry.Testing.Internal;
using Registry.ZooKeeper;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>
/// A real ZooKeeper, a registry-server process over it with the test zones, a gRPC channel to the server, and a
/// registrar to register instances with (its own session, as a service would).
/// </summary>
internal sealed class GrpcServerFixture : IAsyncDisposable
{
    private readonly TestZones _zones;
    private readonly string[] _extra;
    private ServiceRegistrar? _registrar;

    private GrpcServerFixture(ZooKeeperServer zooKeeper, TestZones zones, string[] extra, RegistryServerProcess server)
    {
        ZooKeeper = zooKeeper;
        _zones = zones;
        _extra = extra;
        Server = server;
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new V1.Registry.RegistryClient(Channel);
    }

    public ZooKeeperServer ZooKeeper { get; }

    /// <summary>The server's gRPC address; the same across <see cref="RestartServerAsync"/>.</summary>
    public Uri GrpcAddress => new(_extra[^1]);

    public RegistryServerProcess Server { get; private set; }

    public GrpcChannel Channel { get; private set; }

    public V1.Registry.RegistryClient Client { get; private set; }

    public ServiceRegistrar Registrar => _registrar ??= new ServiceRegistrar(new ZooKeeperClientOptions { ConnectString = ZooKeeper.ConnectString });

    public static async Task<GrpcServerFixture> StartAsync(params string[] extra)
    {
        var zk = await ZooKeeperServer.StartAsync();
        var zones = new TestZones();

        // A fixed gRPC port, so that a restarted server is where clients left it.
        extra = [.. extra, "--grpc-listen", $"http://127.0.0.1:{FreePorts.Next()}"];
        return new GrpcServerFixture(zk, zones, extra, await StartServerAsync(zk, zones, extra));
    }

    /// <summary>Kills the server (SIGKILL) and starts a new one on the same gRPC port, ZooKeeper, zones and data directory.</summary>
    public async Task RestartServerAsync(Func<Task>? whileDown = null)
    {
        Channel.Dispose();
        await Server.DisposeAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }

        Server = await StartServerAsync(ZooKeeper, _zones, _extra);
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new V1.Registry.RegistryClient(Channel);
    }

    public Task<Registration> RegisterAsync(string service, string id, string address, int port = 4070, int? weight = null, InstanceStatus status = InstanceStatus.Up) =>
        Registrar.RegisterAsync(new ServiceInstance
        {
            Service = ServiceName.Parse(service),
            Id = id,
            Address = address,
            Port = port,
            Weight = weight,
            Status = status,
        });

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        if (_registrar is not null)
        {
            await _registrar.DisposeAsync();
        }

        await Server.DisposeAsync();
        await ZooKeeper.DisposeAsync();
        _zones.Dispose();
    }

    private static async Task<RegistryServerProcess> StartServerAsync(ZooKeeperServer zk, TestZones zones, string[] extra)
    {
        var server = RegistryServerProcess.Start([
            "--zookeeper", zk.ConnectString, "--zones", zones.Directory, "--data-dir", zones.DataDirectory, .. extra]);
        await server.WaitReadyAsync();
        return server;
    }
}
