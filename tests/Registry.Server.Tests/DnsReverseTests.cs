using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>Reverse lookups (what dig -x asks) against the facade: a reverse zone file in the zones directory turns on PTR for registered addresses.</summary>
public sealed class DnsReverseTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestZones _zones = new();
    private ZooKeeperServer _zk = null!;
    private ZooKeeperClient _client = null!;
    private RegistryServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_zones.Directory, "10.in-addr.arpa.zone"), """
            $ORIGIN 10.in-addr.arpa.
            $TTL 600
            @  IN SOA ns1.svc.example. hostmaster.svc.example. 1 3600 600 86400 60
               IN NS  ns1.svc.example.

            """);
        _zk = await ZooKeeperServer.StartAsync();
        _client = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        await _client.CreateAsync("/services", default);
        await _client.CreateAsync("/services/web", default, CreateMode.Container);

        // No --default-zone: a reverse zone beside one forward zone leaves the forward one as the default.
        _server = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory]);
        await _server.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _client.DisposeAsync();
        await _zk.DisposeAsync();
        _zones.Dispose();
    }

    [Fact]
    public async Task A_registered_address_resolves_back_to_its_instance_while_it_runs()
    {
        await _client.CreateAsync("/services/web/ap7", ServerViewTests.Curator("ap7", "10.0.0.77", 4070), CreateMode.Ephemeral);

        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_server.DnsPort, "77.0.0.10.in-addr.arpa.", "PTR")).AnswerData("PTR").SequenceEqual(["ap7.web.svc.example."]),
            Deadline,
            "dig -x 10.0.0.77 answers ap7's target name");

        await _client.DeleteAsync("/services/web/ap7");
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_server.DnsPort, "77.0.0.10.in-addr.arpa.", "PTR")).Status == "NXDOMAIN",
            Deadline,
            "the reverse name is gone with the instance");
    }
}
