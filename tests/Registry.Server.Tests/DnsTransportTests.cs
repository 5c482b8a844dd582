using System.Net;
using System.Net.Sockets;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>The DNS facade over real sockets, asked by dig, answering from the live merged view.</summary>
public sealed class DnsTransportTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private LiveServer _live = null!;

    public async Task InitializeAsync() => _live = await LiveServer.StartWithWebAp1Async(new TestZones());

    public async Task DisposeAsync() => await _live.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_hybrid_service_answers_its_live_targets_with_their_addresses_over_udp_and_tcp(bool tcp)
    {
        var answer = await DigAnswer.QueryAsync(_live.Server.DnsPort, "_web._tcp.svc.example.", "SRV", tcp);

        Assert.Equal("NOERROR", answer.Status);
        Assert.Contains("aa", answer.Flags);
        Assert.DoesNotContain("ra", answer.Flags);
        Assert.Equal(["10 12 4070 ap1.hosts.svc.example."], answer.AnswerData("SRV")); // ap2 is declared but not running
        Assert.Contains(answer.Additional, r => r[0] == "ap1.hosts.svc.example." && r[3] == "A" && r[4] == "127.0.0.1");
    }

    [Fact]
    public async Task Registrations_reach_dns_answers_as_they_change()
    {
        await _live.Client.CreateAsync("/services/web/ap3", ServerViewTests.Curator("ap3", "10.0.0.33", 4071), CreateMode.Ephemeral);
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_live.Server.DnsPort, "_web._tcp.svc.example.", "SRV")).AnswerData("SRV").Contains("10 10 4071 ap3.web.svc.example."),
            Deadline,
            "ap3 is in the SRV answer");

        // The instance's own target name resolves to its registered address, with the short dynamic TTL.
        var target = await DigAnswer.QueryAsync(_live.Server.DnsPort, "ap3.web.svc.example.", "A");
        Assert.Equal(["10.0.0.33"], target.AnswerData("A"));
        Assert.Equal("5", target.Answer.Single()[1]);

        await _live.Client.DeleteAsync("/services/web/ap3");
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(_live.Server.DnsPort, "_web._tcp.svc.example.", "SRV")).AnswerData("SRV").SequenceEqual(["10 12 4070 ap1.hosts.svc.example."]),
            Deadline,
            "ap3 left the SRV answer");
    }

    [Fact]
    public async Task Names_outside_the_zones_are_refused_and_missing_names_are_nxdomain_with_the_soa()
    {
        var outside = await DigAnswer.QueryAsync(_live.Server.DnsPort, "www.example.org.", "A");
        Assert.Equal("REFUSED", outside.Status);
        Assert.DoesNotContain("ra", outside.Flags);

        var missing = await DigAnswer.QueryAsync(_live.Server.DnsPort, "nope.svc.example.", "A");
        Assert.Equal("NXDOMAIN", missing.Status);
        Assert.Contains("aa", missing.Flags);
        var soa = Assert.Single(missing.Authority);
        Assert.Equal("SOA", soa[3]);
        var serial = (await _live.Server.GetJsonAsync("/v1/services")).GetProperty("view").GetProperty("zones")[0].GetProperty("serial").GetUInt32();
        Assert.Equal(serial.ToString(System.Globalization.CultureInfo.InvariantCulture), soa[6]);
    }

    [Fact]
    public async Task Garbage_packets_get_no_crash_and_the_next_query_is_answered()
    {
        using (var udp = new UdpClient())
        {
            var random = new Random(7);
            for (var i = 0; i < 200; i++)
            {
                var packet = new byte[random.Next(0, 600)];
                random.NextBytes(packet);
                await udp.SendAsync(packet, new IPEndPoint(IPAddress.Loopback, _live.Server.DnsPort));
            }
        }

        var answer = await DigAnswer.QueryAsync(_live.Server.DnsPort, "_web._tcp.svc.example.", "SRV");
        Assert.Equal("NOERROR", answer.Status);
        Assert.False(_live.Server.HasExited);
    }
}
