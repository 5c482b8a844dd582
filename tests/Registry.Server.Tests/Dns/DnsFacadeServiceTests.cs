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

/// <summary>The transport in process, on real loopback sockets: dispatch to the transfer/TSIG handler, and what happens without one.</summary>
public sealed class DnsFacadeServiceTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly byte[] Signed = [.. Header(5, 0, 0, 1, 0, 0, 1), .. Question("info.svc.example.", Txt), .. Name("key."), 0, 250, 0, 255, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
    private readonly DnsTestView _test = new();

    public void Dispose() => _test.Dispose();

    [Fact]
    public async Task Transfers_and_signed_queries_go_to_the_handler_which_may_answer_several_messages_over_tcp()
    {
        var handler = new EchoHandler();
        await using var facade = await StartAsync(handler);
        var endpoint = facade.Endpoints.Single();

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await tcp.Client.SendAsync(Frame(Build("svc.example.", 252, id: 77)));
        var first = DnsMessage.Parse(await ReadFrameAsync(tcp.Client));
        var second = DnsMessage.Parse(await ReadFrameAsync(tcp.Client));
        Assert.Equal([77, 77], new[] { first.TransactionID, second.TransactionID }.Select(i => (int)i));

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(Signed, endpoint);
        using var timeout = new CancellationTokenSource(Deadline);
        var answer = await udp.ReceiveAsync(timeout.Token);
        Assert.Equal(Signed.Length, answer.Buffer.Length); // our fake TSIG's RDATA is not one ARSoft parses: compare bytes
        Assert.Equal(5, BinaryPrimitives.ReadUInt16BigEndian(answer.Buffer));

        Assert.Equal([true, false], handler.Calls.Select(c => c.OverTcp));
        Assert.All(handler.Calls, c => Assert.Equal(IPAddress.Loopback, c.Peer.Address));
    }

    [Fact]
    public async Task Without_a_handler_transfers_are_refused_and_signed_queries_notauth()
    {
        await using var facade = await StartAsync(null);
        var endpoint = facade.Endpoints.Single();

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        await tcp.Client.SendAsync(Frame(Build("svc.example.", 252, id: 78)));
        Assert.Equal(ReturnCode.Refused, DnsMessage.Parse(await ReadFrameAsync(tcp.Client)).ReturnCode);

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await udp.SendAsync(Signed, endpoint);
        using var timeout = new CancellationTokenSource(Deadline);
        var answer = DnsMessage.Parse((await udp.ReceiveAsync(timeout.Token)).Buffer);
        Assert.Equal(ReturnCode.NotAuthoritive, answer.ReturnCode);
        Assert.Equal(2, facade.Counters.Special);
    }

    private async Task<DnsFacadeService> StartAsync(IDnsSpecialQueryHandler? handler)
    {
        var live = new LiveView(_test.DefaultZones(), DnsTestView.Origin, MergePolicy.Default, TimeProvider.System);
        var options = new ServerOptions { Zones = "/nonexistent", DataDir = "/nonexistent", DnsListen = [new IPEndPoint(IPAddress.Loopback, 0)] };
        var facade = new DnsFacadeService(live, options, new DnsResponder(new DnsAnswerOptions()), handler is null ? [] : [handler], NullLogger<DnsFacadeService>.Instance);
        await facade.StartAsync(CancellationToken.None);
        return facade;
    }

    private static async Task<byte[]> ReadFrameAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var prefix = new byte[2];
        await ReadExactlyAsync(socket, prefix, timeout.Token);
        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        await ReadExactlyAsync(socket, message, timeout.Token);
        return message;
    }

    private static async Task ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        for (var filled = 0; filled < buffer.Length;)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            filled += read > 0 ? read : throw new IOException("the connection closed");
        }
    }

    /// <summary>Answers with the query itself, QR set: twice over TCP (a multi-message transfer), once over UDP.</summary>
    private sealed class EchoHandler : IDnsSpecialQueryHandler
    {
        public List<(IPEndPoint Peer, bool OverTcp)> Calls { get; } = [];

        public async ValueTask HandleAsync(ReadOnlyMemory<byte> query, IPEndPoint peer, bool overTcp, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add((peer, overTcp));
            }

            var response = query.ToArray();
            response[2] |= 0x80;
            for (var i = 0; i < (overTcp ? 2 : 1); i++)
            {
                await send(response, cancellationToken);
            }
        }
    }
}
