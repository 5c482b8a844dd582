using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Merge;
using Registry.Server.Configuration;
using Registry.Server.Dns;
using Registry.Server.Dns.Transport;
using Registry.Server.Views;
using static Registry.Server.Tests.Dns.RawQuery;

namespace Registry.Server.Tests.Dns;

/// <summary>The batched UDP loop (recvmmsg/sendmmsg) on real loopback sockets: every query of a burst answered, each with its own id, to its own sender.</summary>
public sealed class DnsUdpBatchTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly DnsTestView _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public void The_native_layouts_match_this_platform()
    {
        // The batch loop serves on the CI machines (64-bit Linux); elsewhere the one-datagram loop does.
        Assert.Equal(OperatingSystem.IsLinux() && Environment.Is64BitProcess, LinuxUdp.IsSupported);
    }

    [Fact]
    public async Task A_burst_from_several_clients_is_answered_query_by_query()
    {
        var live = new LiveView(_test.DefaultZones(), DnsTestView.Origin, MergePolicy.Default, TimeProvider.System);
        var options = new ServerOptions { Zones = "/nonexistent", DataDir = "/nonexistent", DnsListen = [new IPEndPoint(IPAddress.Loopback, 0)] };
        await using var facade = new DnsFacadeService(live, options, new DnsResponder(new DnsAnswerOptions()), [], NullLogger<DnsFacadeService>.Instance);
        await facade.StartAsync(CancellationToken.None);
        var endpoint = facade.Endpoints.Single();

        // Three clients each send 150 queries without waiting, so the loop finds many datagrams per receive; the names
        // alternate so that answers differ and a mix-up of slots would show.
        const int PerClient = 150;
        string[] names = ["ap1.hosts.svc.example.", "ap2.hosts.svc.example.", "ns1.svc.example."];
        string[] addresses = ["10.0.0.1", "10.0.0.2", "192.0.2.53"];
        var clients = Enumerable.Range(0, 3).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)) { Client = { ReceiveBufferSize = 1 << 20 } }).ToArray();
        try
        {
            for (var i = 0; i < PerClient; i++)
            {
                for (var c = 0; c < clients.Length; c++)
                {
                    await clients[c].SendAsync(Build(names[(i + c) % names.Length], 1, id: (ushort)((c * 1000) + i)), endpoint);
                }
            }

            for (var c = 0; c < clients.Length; c++)
            {
                var seen = new HashSet<int>();
                using var timeout = new CancellationTokenSource(Deadline);
                while (seen.Count < PerClient)
                {
                    var reply = (await clients[c].ReceiveAsync(timeout.Token)).Buffer;
                    var id = BinaryPrimitives.ReadUInt16BigEndian(reply);
                    var i = id - (c * 1000);
                    Assert.InRange(i, 0, PerClient - 1);
                    Assert.True(seen.Add(i), $"answer {id} came twice");
                    var answer = DnsMessage.Parse(reply);
                    Assert.Equal(addresses[(i + c) % names.Length], ((ARecord)answer.AnswerRecords.Single()).Address.ToString());
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        Assert.True(facade.Counters.FastHits >= (3 * PerClient) - names.Length * 2, $"fast hits {facade.Counters.FastHits}");
    }
}
