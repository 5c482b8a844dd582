using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns;
using Registry.Server.Dns.Transport;
using Registry.Server.Dns.Wire;
using Registry.Server.Views;

namespace Registry.Server.Tests.Dns.Transfer;

/// <summary>
/// A minimal UDP and TCP listener in the test process that dispatches as the facade's transport does (transfers and
/// signed queries to the <see cref="IDnsSpecialQueryHandler"/>, the rest to the responder), so that a real BIND
/// secondary can be tested against the handler without the server process. Test scaffolding, not the product's transport.
/// </summary>
internal sealed class TransferHarness : IAsyncDisposable
{
    private readonly LiveView _view;
    private readonly DnsResponder _responder;
    private readonly IDnsSpecialQueryHandler _handler;
    private readonly TcpListener _tcp;
    private readonly Socket _udp;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _tcpLoop;
    private readonly Task _udpLoop;

    public TransferHarness(LiveView view, DnsResponder responder, IDnsSpecialQueryHandler handler)
    {
        _view = view;
        _responder = responder;
        _handler = handler;
        _tcp = new TcpListener(IPAddress.Loopback, 0);
        _tcp.Start();
        Port = ((IPEndPoint)_tcp.LocalEndpoint).Port;
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(IPAddress.Loopback, Port));
        _tcpLoop = AcceptAsync();
        _udpLoop = ReceiveAsync();
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _tcp.Stop();
        _udp.Dispose();
        await Task.WhenAll(_tcpLoop, _udpLoop).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _tcp.AcceptTcpClientAsync(_stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var peer = (IPEndPoint)client.Client.RemoteEndPoint!;
            var prefix = new byte[2];
            try
            {
                while (true)
                {
                    await stream.ReadExactlyAsync(prefix, _stop.Token);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
                    await stream.ReadExactlyAsync(query, _stop.Token);
                    await DispatchAsync(query, peer, tcp: true, async (data, ct) =>
                    {
                        var framed = new byte[data.Length + 2];
                        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)data.Length);
                        data.CopyTo(framed.AsMemory(2));
                        await stream.WriteAsync(framed, ct);
                    });
                }
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or OperationCanceledException)
            {
            }
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[65535];
        try
        {
            while (true)
            {
                var received = await _udp.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                var peer = (IPEndPoint)received.RemoteEndPoint;
                await DispatchAsync(buffer[..received.ReceivedBytes], peer, tcp: false, async (data, ct) => await _udp.SendToAsync(data, peer, ct));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async ValueTask DispatchAsync(byte[] query, IPEndPoint peer, bool tcp, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send)
    {
        var message = DnsMessage.Parse(query);
        if (message.TSigOptions is not null || message.Questions.Any(q => q.RecordType is RecordType.Axfr or RecordType.Ixfr))
        {
            await _handler.HandleAsync(query, peer, tcp, send, _stop.Token);
            return;
        }

        await send(ArsoftWire.Encode(_responder.Respond(message, _view.Current)), _stop.Token);
    }
}
