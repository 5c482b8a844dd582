using System.Globalization;
using Registry.Server.Tests.Peers;
using Registry.Testing;
using Registry.Testing.Internal;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>
/// Zone transfers, NOTIFY and serial persistence of a real server process, with dig and a real BIND 9 secondary.
/// The transfer tests need the transport that hands AXFR/IXFR and signed queries to the special-query handler.
/// </summary>
public sealed class DnsTransferProcessTests : IAsyncLifetime
{
    private const string Secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestZones _zones = new();
    private ZooKeeperServer _zk = null!;
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync()
    {
        _zk = await ZooKeeperServer.StartAsync();
        _client = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        await _client.CreateAsync("/services", default);
        await _client.CreateAsync("/services/web", default, CreateMode.Container);
        await _client.CreateAsync("/services/web/ap1", ServerViewTests.Curator("ap1", "127.0.0.1", 4070), CreateMode.Ephemeral);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _zk.DisposeAsync();
        _zones.Dispose();
    }

    [Fact]
    public async Task The_soa_serial_never_goes_back_across_a_restart()
    {
        uint before;
        await using (var first = await StartAsync([]))
        {
            before = await SerialAsync(first);
            await first.StopAsync();
        }

        await using var second = await StartAsync([]);
        var after = await SerialAsync(second);

        Assert.True(after > before, $"serial {after} after the restart, {before} before");
        Assert.True(after - before > 1000, $"serial {after} after the restart is not past the crash margin above {before}");
        Assert.True(File.Exists(Path.Combine(_zones.DataDirectory, "serials.json")));
    }

    [Fact]
    public async Task Axfr_from_a_peer_not_allowed_is_refused()
    {
        await using var server = await StartAsync(["--dns-transfer-allow", "192.0.2.1"]);

        var answer = await DigAnswer.QueryAsync(server.DnsPort, "svc.example.", "AXFR", tcp: true);

        Assert.Contains("Transfer failed", answer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bind_as_secondary_with_tsig_transfers_the_zone_and_follows_a_registration_after_notify()
    {
        var namedPort = FreePorts.Next();
        await using var server = await StartAsync(
            ["--dns-transfer-allow", "key:xfer-key", "--dns-tsig-key", $"xfer-key:hmac-sha256:{Secret}", "--dns-notify", $"127.0.0.1:{namedPort}@xfer-key", "--dns-notify-interval", "200ms"]);
        Assert.DoesNotContain(Secret, server.Output, StringComparison.Ordinal);

        await using var named = await NamedProcess.StartAsync(
            $$"""
            key "xfer-key" { algorithm hmac-sha256; secret "{{Secret}}"; };
            server 127.0.0.1 { keys { xfer-key; }; };
            zone "svc.example" { type secondary; primaries { 127.0.0.1 port {{server.DnsPort}}; }; file "{dir}/svc.db"; };
            """,
            new Dictionary<string, string>(),
            "svc.example.",
            namedPort);

        var facade = await DigAnswer.QueryAsync(server.DnsPort, "_web._tcp.svc.example.", "SRV");
        var secondary = await DigAnswer.QueryAsync(named.Port, "_web._tcp.svc.example.", "SRV");
        Assert.Equal(facade.AnswerData("SRV"), secondary.AnswerData("SRV"));

        await _client.CreateAsync("/services/web/ap3", ServerViewTests.Curator("ap3", "10.0.0.33", 4071), CreateMode.Ephemeral);
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(named.Port, "_web._tcp.svc.example.", "SRV")).AnswerData("SRV").Contains("10 10 4071 ap3.web.svc.example."),
            Deadline,
            $"BIND follows the registration after NOTIFY; named:\n{named.Output}\nserver:\n{server.Output}");
    }

    private async Task<RegistryServerProcess> StartAsync(string[] extra)
    {
        var server = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, .. extra]);
        await server.WaitReadyAsync();
        await server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1"]), Deadline, "ap1 is in the view");
        return server;
    }

    private static async Task<uint> SerialAsync(RegistryServerProcess server)
    {
        var soa = await DigAnswer.QueryAsync(server.DnsPort, "svc.example.", "SOA");
        return uint.Parse(Assert.Single(soa.Answer)[6], CultureInfo.InvariantCulture);
    }
}
