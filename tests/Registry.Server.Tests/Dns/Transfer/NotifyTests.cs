using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Server.Dns.Transfer;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Tests.Dns.Transfer;

/// <summary>NOTIFY (RFC 1996): coalescing per zone, the message, retries until acknowledged.</summary>
public sealed class NotifyTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_serials_seen_are_not_announced()
    {
        var schedule = new NotifySchedule(TimeSpan.FromSeconds(1));

        schedule.Observe([("svc.example.", 5)], T0);

        Assert.Empty(schedule.Take(T0).Due);
    }

    [Fact]
    public void A_burst_of_changes_costs_one_notify_at_once_and_one_after_the_interval()
    {
        var schedule = new NotifySchedule(TimeSpan.FromSeconds(1));
        schedule.Observe([("svc.example.", 5), ("other.example.", 9)], T0);

        schedule.Observe([("svc.example.", 6), ("other.example.", 9)], T0.AddSeconds(10));
        var first = schedule.Take(T0.AddSeconds(10));
        Assert.Equal([("svc.example.", 6u)], first.Due);
        Assert.Null(first.Next);

        // Three more changes within the second: nothing now, one NOTIFY with the last serial when the second is over.
        foreach (var serial in new uint[] { 7, 8, 9 })
        {
            schedule.Observe([("svc.example.", serial), ("other.example.", 9)], T0.AddSeconds(10.2));
            var (due, next) = schedule.Take(T0.AddSeconds(10.2));
            Assert.Empty(due);
            Assert.Equal(T0.AddSeconds(11), next);
        }

        Assert.Equal([("svc.example.", 9u)], schedule.Take(T0.AddSeconds(11)).Due);
        Assert.Empty(schedule.Take(T0.AddSeconds(20)).Due);
    }

    [Fact]
    public void Zones_are_coalesced_apart()
    {
        var schedule = new NotifySchedule(TimeSpan.FromSeconds(1));
        schedule.Observe([("a.example.", 1), ("b.example.", 1)], T0);
        schedule.Observe([("a.example.", 2), ("b.example.", 1)], T0.AddSeconds(5));
        Assert.Equal([("a.example.", 2u)], schedule.Take(T0.AddSeconds(5)).Due);

        schedule.Observe([("a.example.", 2), ("b.example.", 2)], T0.AddSeconds(5.1));

        Assert.Equal([("b.example.", 2u)], schedule.Take(T0.AddSeconds(5.1)).Due);
    }

    [Fact]
    public async Task A_notify_is_resent_until_the_secondary_answers_with_its_id()
    {
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new NotifyTarget((IPEndPoint)secondary.LocalEndPoint!, null);
        var soa = new SoaRecord(DomainName.Parse("svc.example."), 300, DomainName.Parse("ns1.svc.example."), DomainName.Parse("hostmaster.svc.example."), 42, 3600, 600, 86400, 60);
        var sender = new NotifySender(TimeProvider.System, NullLogger.Instance) { FirstTimeout = TimeSpan.FromMilliseconds(200) };

        var sending = sender.SendAsync(target, soa, key: null, CancellationToken.None);

        // The first NOTIFY goes unanswered (lost); the second is acknowledged.
        var buffer = new byte[4096];
        var first = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
        var notify = DnsMessage.Parse(buffer[..first.ReceivedBytes]);
        Assert.Equal(OperationCode.Notify, notify.OperationCode);
        Assert.True(notify.IsAuthoritiveAnswer);
        Assert.Equal(RecordType.Soa, Assert.Single(notify.Questions).RecordType);
        Assert.Equal(42u, Assert.IsType<SoaRecord>(Assert.Single(notify.AnswerRecords)).SerialNumber);

        var second = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
        var retry = DnsMessage.Parse(buffer[..second.ReceivedBytes]);
        Assert.Equal(notify.TransactionID, retry.TransactionID);
        var ack = new DnsMessage { TransactionID = retry.TransactionID, IsQuery = false, OperationCode = OperationCode.Notify, IsAuthoritiveAnswer = true };
        await secondary.SendToAsync(ArsoftWire.Encode(ack), second.RemoteEndPoint);

        Assert.True(await sending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_notify_gives_up_after_five_tries()
    {
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var soa = new SoaRecord(DomainName.Parse("svc.example."), 300, DomainName.Root, DomainName.Root, 42, 3600, 600, 86400, 60);
        var sender = new NotifySender(TimeProvider.System, NullLogger.Instance) { FirstTimeout = TimeSpan.FromMilliseconds(20) };

        var acknowledged = await sender.SendAsync(new NotifyTarget((IPEndPoint)secondary.LocalEndPoint!, null), soa, key: null, CancellationToken.None);

        Assert.False(acknowledged);
        Assert.Equal(NotifySender.MaxTries, secondary.Available > 0 ? await CountAsync(secondary) : 0);
    }

    [Fact]
    public async Task The_service_notifies_when_a_published_change_moves_a_zones_serial()
    {
        using var test = new DnsTestView();
        using var secondary = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        secondary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var view = new Registry.Server.Views.LiveView(test.DefaultZones(), DnsTestView.Origin, Registry.Core.Merge.MergePolicy.Default, TimeProvider.System);
        var options = new Registry.Server.Configuration.ServerOptions { Zones = "/nonexistent", DataDir = "/nonexistent", Notify = [new NotifyTarget((IPEndPoint)secondary.LocalEndPoint!, null)] };
        var service = new NotifyService(view, new Registry.Server.Dns.DnsResponder(new Registry.Server.Dns.DnsAnswerOptions()), options, TimeProvider.System, NullLogger<NotifyService>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            view.SetRegistrations(DnsTestView.Registered(3, (DnsTestView.Web, [DnsTestView.Instance(DnsTestView.Web, "i9", "10.0.0.9", 4070)])), stale: false);

            var buffer = new byte[4096];
            var received = await secondary.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(10));
            var notify = DnsMessage.Parse(buffer[..received.ReceivedBytes]);
            Assert.Equal("svc.example.", Assert.Single(notify.Questions).Name.ToString());
            Assert.Equal(view.Current.Serial("svc.example."), Assert.IsType<SoaRecord>(Assert.Single(notify.AnswerRecords)).SerialNumber);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
            Assert.False(service.ExecuteTask!.IsFaulted, service.ExecuteTask.Exception?.ToString());
        }
    }

    private static async Task<int> CountAsync(Socket socket)
    {
        var count = 0;
        var buffer = new byte[4096];
        while (socket.Available > 0)
        {
            await socket.ReceiveAsync(buffer);
            count++;
        }

        return count;
    }
}
