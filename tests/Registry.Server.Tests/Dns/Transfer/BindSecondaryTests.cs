using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Merge;
using Registry.Server.Configuration;
using Registry.Server.Dns;
using Registry.Server.Dns.Transfer;
using Registry.Server.Tests.Peers;
using Registry.Server.Views;
using Registry.Testing;

namespace Registry.Server.Tests.Dns.Transfer;

/// <summary>
/// A real BIND 9 as secondary of the transfer handler (served by <see cref="TransferHarness"/> in this process): it
/// transfers the zone, answers like the facade, and follows a change after the NOTIFY.
/// </summary>
public sealed class BindSecondaryTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly DnsTestView _test = new();

    public void Dispose() => _test.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Bind_transfers_the_zone_answers_like_the_facade_and_follows_a_change_after_notify(bool tsig)
    {
        var view = new LiveView(_test.DefaultZones(), DnsTestView.Origin, MergePolicy.Default, TimeProvider.System);
        view.SetRegistrations(DnsTestView.Registered(7, (DnsTestView.Web, [DnsTestView.Instance(DnsTestView.Web, "i1", "10.0.0.1", 4070)])), stale: false);
        var responder = new DnsResponder(new DnsAnswerOptions());
        Assert.True(TransferAccess.TryParse(tsig ? "key:xfer-key" : "127.0.0.1", out var access, out _));
        var key = TransferTestHost.Key;
        var options = new ServerOptions { Zones = "/nonexistent", DataDir = "/nonexistent", TransferAllow = access, TsigKeys = [key], NotifyInterval = TimeSpan.FromMilliseconds(200) };
        var handler = new SpecialQueryHandler(view, responder, options, TimeProvider.System, NullLogger<SpecialQueryHandler>.Instance);
        await using var primary = new TransferHarness(view, responder, handler);

        var keyConfig = tsig
            ? $$"""
                key "xfer-key" { algorithm hmac-sha256; secret "{{Convert.ToBase64String(key.Secret)}}"; };
                server 127.0.0.1 { keys { xfer-key; }; };
                """
            : "";
        await using var named = await NamedProcess.StartAsync(
            keyConfig + $$"""zone "svc.example" { type secondary; primaries { 127.0.0.1 port {{primary.Port}}; }; file "{dir}/svc.db"; };""",
            new Dictionary<string, string>(),
            "svc.example.");

        // Transferred: BIND answers the merged SRV set and the registration's address as the facade does.
        var srv = await DigAnswer.QueryAsync(named.Port, "_web._tcp.svc.example.", "SRV");
        Assert.Equal(["10 12 4070 ap1.hosts.svc.example."], srv.AnswerData("SRV")); // i1 is the declared ap1 (same address and port)
        var soa = await DigAnswer.QueryAsync(named.Port, "svc.example.", "SOA");
        Assert.Contains($" {view.Current.Serial("svc.example.")} ", string.Join(' ', soa.AnswerData("SOA")) + " ", StringComparison.Ordinal);

        // A new instance: the serial grows, the NOTIFY makes BIND transfer again, and it answers the new SRV set.
        var notify = new NotifyService(view, responder, options with { Notify = [new NotifyTarget(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, named.Port), tsig ? key.Name : null)] }, TimeProvider.System, NullLogger<NotifyService>.Instance);
        await notify.StartAsync(CancellationToken.None);
        try
        {
            view.SetRegistrations(DnsTestView.Registered(8, (DnsTestView.Web, [DnsTestView.Instance(DnsTestView.Web, "i1", "10.0.0.1", 4070), DnsTestView.Instance(DnsTestView.Web, "i4", "10.0.0.4", 4071)])), stale: false);
            await Poll.UntilAsync(
                async _ => (await DigAnswer.QueryAsync(named.Port, "_web._tcp.svc.example.", "SRV")).AnswerData("SRV").Contains("10 10 4071 i4.web.svc.example."),
                Deadline,
                $"BIND follows the change after NOTIFY; its log:\n{named.Output}");
            var address = await DigAnswer.QueryAsync(named.Port, "i4.web.svc.example.", "A");
            Assert.Equal(["10.0.0.4"], address.AnswerData("A"));
        }
        finally
        {
            await notify.StopAsync(CancellationToken.None);
        }
    }
}
