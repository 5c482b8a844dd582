using System.Net;
using System.Net.Sockets;

namespace Registry.Testing.Internal;

/// <summary>
/// One client connection through a <see cref="TcpProxy"/>: two pumps copying bytes between the client socket and an
/// upstream socket. A frozen connection (network partition) forwards nothing more in either direction, not even an
/// end of stream, but keeps both sockets open until it is closed.
/// </summary>
internal sealed class ProxyConnection
{
    private const int BufferSize = 16 * 1024;

    private readonly TcpProxy _owner;
    private readonly Socket _client;
    private readonly IPEndPoint _upstreamEndPoint;
    private readonly CancellationTokenSource _closing = new();
    private Socket? _upstream;
    private volatile bool _frozen;
    private int _closed;

    /// <summary>Starts forwarding at once, or holds the client without connecting upstream when <paramref name="frozen"/>.</summary>
    public ProxyConnection(TcpProxy owner, Socket client, IPEndPoint upstream, bool frozen)
    {
        _owner = owner;
        _client = client;
        _upstreamEndPoint = upstream;
        _frozen = frozen;
        Completion = Task.Run(RunAsync);
    }

    /// <summary>Completes once both sockets are closed; never faults.</summary>
    public Task Completion { get; }

    public bool IsFrozen => _frozen;

    /// <summary>Stops forwarding without closing anything. Bytes a pump is writing at this instant may still arrive.</summary>
    public void Freeze() => _frozen = true;

    /// <summary>Closes both sockets at once; pending reads and writes on them end.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _closing.Cancel();
        _client.Dispose();
        Volatile.Read(ref _upstream)?.Dispose();
    }

    private async Task RunAsync()
    {
        var cancellationToken = _closing.Token;
        try
        {
            if (_frozen)
            {
                // Accepted during a partition: the client's connect "succeeded", but nothing gets through. Restore closes it.
                await HoldAsync(cancellationToken).ConfigureAwait(false);
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Volatile.Write(ref _upstream, upstream);
            if (Volatile.Read(ref _closed) != 0)
            {
                // Close ran before the socket was published, so it could not dispose it.
                upstream.Dispose();
                return;
            }

            await upstream.ConnectAsync(_upstreamEndPoint, cancellationToken).ConfigureAwait(false);
            await Task.WhenAll(
                PumpAsync(_client, upstream, toUpstream: true, cancellationToken),
                PumpAsync(upstream, _client, toUpstream: false, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Closed, upstream refused the connection, or a peer reset: all end the connection the same way.
        }
        finally
        {
            Close();
            _owner.Forget(this);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool toUpstream, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (_frozen)
                {
                    // Checked after the read because that is where a pump waits: what arrives during a partition stays here.
                    await HoldAsync(cancellationToken).ConfigureAwait(false);
                }

                if (read == 0)
                {
                    // Pass on the half-close so request/response protocols (four-letter words) finish cleanly.
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                for (var sent = 0; sent < read;)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, read - sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }

                _owner.CountForwarded(read, toUpstream);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // One direction failing (reset, close) ends the whole connection, as it would for a real peer.
            Close();
        }
    }

    /// <summary>Waits until the connection is closed; used to sit out a partition.</summary>
    private static Task HoldAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
}
