using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// One DNS query over UDP from this process: encoded by ARSoft's own encoder, the response parsed by
/// <see cref="DnsMessage.Parse(byte[])"/> as received (TC bit and all, no retry over TCP), so that two servers' raw
/// answers can be compared.
/// </summary>
internal static class DnsUdp
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private const int Attempts = 3;

    /// <summary>Sends <paramref name="query"/> to 127.0.0.1:<paramref name="port"/> and returns the response with its id.</summary>
    /// <exception cref="TimeoutException">No response with the query's id came in three tries of two seconds.</exception>
    public static async Task<DnsMessage> QueryAsync(int port, DnsMessage query)
    {
        var wire = ArsoftWire.Encode(query);
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, port);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            await udp.SendAsync(wire.AsMemory(), server);
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                while (true)
                {
                    var received = await udp.ReceiveAsync(timeout.Token);
                    var response = DnsMessage.Parse(received.Buffer);
                    if (response.TransactionID == query.TransactionID)
                    {
                        return response;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Lost on a loaded machine: ask again.
            }
        }

        throw new TimeoutException($"no answer from 127.0.0.1:{port} to {query.Questions[0]}");
    }
}
