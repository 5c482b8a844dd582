using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>Reverse lookups (what dig -x asks) against the facade: a reverse zone file in the zones directory turns on PTR for registered addresses.</summary>
public sealed class DnsReverseTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private LiveServer _live = null!;

    public async Task InitializeAsync()
    {
        var zones = new TestZones();
        await File.WriteAllTextAsync(Path.Combine(zones.Directory, "10.in-addr.arpa.zone"), """
            $ORIGIN 10.in-addr.arpa.
            $TTL 600
            @  IN SOA ns1.svc.example. hostmaster.svc.example. 1 3600 600 86400 60
               IN NS  ns1.svc.example.

            """);

        // No --default-zone: a reverse zone beside one forward zone leaves the forward one as the default.
        _live = await LiveServer.StartAsync(zones, client => client.CreateAsync("/services/web", default, CreateMode.Container));
    }

    public async Task DisposeAsync() => await _live.DisposeAsync();

    [Fact]
    public async Task A_registered_address_resolves_back_to_its_instance_while_it_runs()
    {
        await _live.Client.CreateAsync("/services/web/ap7", ServerViewTests.Curator("ap7", "10.0.0.77", 4070), CreateMode.Ephemeral);

        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_live.Server.DnsPort, "77.0.0.10.in-addr.arpa.", "PTR")).AnswerData("PTR").SequenceEqual(["ap7.web.svc.example."]),
            Deadline,
            "dig -x 10.0.0.77 answers ap7's target name");

        await _live.Client.DeleteAsync("/services/web/ap7");
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_live.Server.DnsPort, "77.0.0.10.in-addr.arpa.", "PTR")).Status == "NXDOMAIN",
            Deadline,
            "the reverse name is gone with the instance");
    }
}
