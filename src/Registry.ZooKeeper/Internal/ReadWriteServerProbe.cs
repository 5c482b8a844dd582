using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Registry.ZooKeeper.Internal;

/// <summary>
/// While the session sits on a read-only server, asks the other servers whether they serve writes (the <c>isro</c>
/// four-letter word, which servers running with <c>readonlymode.enabled</c> always answer). The first to say
/// <c>rw</c> is returned so the client can move there. Probes back off from 100 ms to a minute, as the Java client's.
/// </summary>
internal static class ReadWriteServerProbe
{
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMinutes(1);

    public static async Task<DnsEndPoint?> FindAsync(IReadOnlyList<DnsEndPoint> servers, EndPoint current, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(100);
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var server in servers)
            {
                if (current is IPEndPoint ip && server.Port == ip.Port && IPAddress.TryParse(server.Host, out var address) && address.Equals(ip.Address))
                {
                    continue;
                }

                if (await IsReadWriteAsync(server, probeTimeout, cancellationToken).ConfigureAwait(false))
                {
                    return server;
                }
            }

            await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxInterval.Ticks));
        }

        return null;
    }

    private static async Task<bool> IsReadWriteAsync(DnsEndPoint server, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(server.Host, server.Port, deadline.Token).ConfigureAwait(false);
            await socket.SendAsync("isro"u8.ToArray(), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            var buffer = new byte[16];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
            return Encoding.ASCII.GetString(buffer, 0, read) == "rw";
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
