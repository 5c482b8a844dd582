using System.Diagnostics;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Discovery.Tests;

/// <summary>Registrations written by another ZooKeeper client (python3-kazoo), in the formats others use.</summary>
public sealed class KazooInteropTests : IAsyncLifetime
{
    private const string DebianPython = "/usr/bin/python3";
    private ZooKeeperServer _server = null!;
    private Process? _kazoo;

    public async Task InitializeAsync() => _server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_kazoo is { } kazoo)
        {
            kazoo.StandardInput.Close();
            await kazoo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            kazoo.Dispose();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Curator_and_spring_registrations_written_by_kazoo_appear_and_garbage_is_counted()
    {
        await using var watcher = new RegistrationWatcher(new ZooKeeperClientOptions { ConnectString = _server.ConnectString });
        await watcher.StartAsync();

        // What Curator 5 (x-discovery, Jackson @class payload) and Spring Cloud Zookeeper write, plus garbage.
        await RunKazooAsync("""
            curator = b'{"name":"orders","id":"c1","address":"10.2.0.1","port":8443,"sslPort":null,"payload":{"@class":"com.example.Meta","weight":30,"status":"UP"},"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":null}'
            spring = b'{"name":"orders","id":"s1","address":"10.2.0.2","port":8080,"sslPort":null,"payload":{"@class":"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance","id":"orders-1","name":"orders","metadata":{"instance_status":"OUT_OF_SERVICE","zone":"eu"}},"registrationTimeUTC":1700000000001,"serviceType":"DYNAMIC","uriSpec":{"parts":[]}}'
            zk.ensure_path("/services/orders")
            zk.create("/services/orders/c1", curator, ephemeral=True)
            zk.create("/services/orders/s1", spring, ephemeral=True)
            zk.create("/services/orders/junk", b"\x00\x01 not json", ephemeral=True)
            """);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<ServiceInstance>? orders = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var state in watcher.WatchAsync(timeout.Token))
        {
            if (state.Services.TryGetValue(ServiceName.Parse("orders"), out orders) && orders.Count == 2 && watcher.SkippedRegistrations >= 1)
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, "kazoo's registrations never appeared");
        }

        var c1 = orders!.Single(i => i.Id == "c1");
        Assert.Equal(("10.2.0.1", 8443, 30, InstanceStatus.Up), (c1.Address, c1.Port, c1.Weight, c1.Status));
        var s1 = orders!.Single(i => i.Id == "s1");
        Assert.Equal((InstanceStatus.OutOfService, "eu"), (s1.Status, s1.Metadata["zone"]));
        Assert.NotEqual(0, s1.Source!.EphemeralOwner);
        Assert.Equal(1, watcher.SkippedRegistrations);
    }

    /// <summary>Runs a kazoo snippet; kazoo keeps its session (and so its ephemeral nodes) until the test ends.</summary>
    private async Task RunKazooAsync(string body)
    {
        Assert.True(File.Exists(DebianPython), "python3-kazoo needs Debian's python3: apt-get install -y python3-kazoo");
        var indented = string.Join('\n', body.Split('\n').Select(l => "    " + l));
        var program = $$"""
            import sys
            from kazoo.client import KazooClient
            zk = KazooClient(hosts="{{_server.ConnectString}}")
            zk.start(timeout=15)
            try:
            {{indented}}
                print("READY", flush=True)
                sys.stdin.read()
            finally:
                zk.stop()
                zk.close()
            """;
        var start = new ProcessStartInfo(DebianPython, ["-c", program]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        _kazoo = Process.Start(start)!;
        var line = await _kazoo.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        if (line != "READY")
        {
            // Only now: while kazoo runs, its stderr stays open until the test lets it exit.
            Assert.Fail($"kazoo failed: {await _kazoo.StandardError.ReadToEndAsync()}");
        }
    }
}
