using System.Net;
using System.Net.Sockets;
using Registry.Testing.Internal;

namespace Registry.Testing;

/// <summary>
/// A loopback TCP proxy that injects network faults between a client and a server: cut every connection
/// (<see cref="CutAll"/>), partition the network (<see cref="Blackhole"/>) and heal it (<see cref="Restore"/>), or
/// send new connections elsewhere (<see cref="SetUpstream"/>). Point the client at <see cref="ConnectString"/>.
/// </summary>
/// <remarks>
/// <para>
/// Blackhole stops forwarding bytes in both directions without closing any socket, like a partition: clients see
/// their reads time out, not a reset. Connections opened during the blackhole are accepted (the kernel would complete
/// the handshake anyway) but never connected upstream.
/// </para>
/// <para>
/// Restore forwards again for connections opened after it, and closes every connection that was open during the
/// blackhole. By then the peers have given up on them (a ZooKeeper client stops hearing pings after two thirds of
/// its session timeout), bytes written into the partition would arrive late and out of context, and a client must
/// reconnect after a partition anyway; closing them makes that happen at once and deterministically.
/// </para>
/// </remarks>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private readonly HashSet<ProxyConnection> _connections = [];
    private readonly Task _acceptLoop;
    private IPEndPoint _upstream;
    private bool _blackholed;
    private bool _disposed;
    private long _bytesToUpstream;
    private long _bytesToClients;
    private long _acceptedConnections;

    private TcpProxy(Socket listener, IPEndPoint upstream)
    {
        _listener = listener;
        _upstream = upstream;
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The proxy's own loopback address, where clients connect.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The proxy's address as a ZooKeeper connect string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectString => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>Where new connections are forwarded.</summary>
    public IPEndPoint Upstream
    {
        get
        {
            lock (_gate)
            {
                return _upstream;
            }
        }
    }

    /// <summary>True between <see cref="Blackhole"/> and <see cref="Restore"/>.</summary>
    public bool IsBlackholed
    {
        get
        {
            lock (_gate)
            {
                return _blackholed;
            }
        }
    }

    /// <summary>Client connections currently open through the proxy, including ones frozen or held by a blackhole.</summary>
    public int ActiveConnections
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Client connections accepted since the proxy started.</summary>
    public long AcceptedConnections => Interlocked.Read(ref _acceptedConnections);

    /// <summary>Bytes forwarded from clients to the upstream since the proxy started.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _bytesToUpstream);

    /// <summary>Bytes forwarded from the upstream to clients since the proxy started.</summary>
    public long BytesToClients => Interlocked.Read(ref _bytesToClients);

    /// <summary>Starts listening on 127.0.0.1 at a free port, forwarding to <paramref name="upstream"/>.</summary>
    /// <param name="upstream">Where connections go until <see cref="SetUpstream"/> says otherwise.</param>
    /// <param name="cancellationToken">Checked before starting.</param>
    /// <exception cref="SocketException">No loopback port could be bound.</exception>
    public static Task<TcpProxy> StartAsync(IPEndPoint upstream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return Task.FromResult(new TcpProxy(listener, upstream));
    }

    /// <summary>Sends connections accepted from now on to <paramref name="upstream"/>; open connections keep their server.</summary>
    /// <param name="upstream">The new destination.</param>
    public void SetUpstream(IPEndPoint upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        lock (_gate)
        {
            _upstream = upstream;
        }
    }

    /// <summary>
    /// Closes every open connection, on the client and the upstream side at once, as if a router dropped them all.
    /// The proxy keeps accepting new connections (subject to a blackhole).
    /// </summary>
    public void CutAll()
    {
        foreach (var connection in TakeConnections(_ => true))
        {
            connection.Close();
        }
    }

    /// <summary>
    /// Partitions the network: open connections stop forwarding in both directions but stay open, and new connections
    /// are accepted but forward nothing, until <see cref="Restore"/>. See the remarks on <see cref="TcpProxy"/>.
    /// </summary>
    public void Blackhole()
    {
        lock (_gate)
        {
            _blackholed = true;
            foreach (var connection in _connections)
            {
                connection.Freeze();
            }
        }
    }

    /// <summary>
    /// Heals a partition: connections opened from now on are forwarded normally, and every connection that was open
    /// during the blackhole is closed. Does nothing when not blackholed.
    /// </summary>
    public void Restore()
    {
        List<ProxyConnection> frozen;
        lock (_gate)
        {
            _blackholed = false;
            frozen = TakeConnectionsLocked(c => c.IsFrozen);
        }

        foreach (var connection in frozen)
        {
            connection.Close();
        }
    }

    /// <summary>Stops listening, closes every connection and waits for all forwarding to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ProxyConnection> open;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            open = TakeConnectionsLocked(_ => true);
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (var connection in open)
        {
            connection.Close();
        }

        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(open.Select(c => c.Completion)).ConfigureAwait(false);
        _disposing.Dispose();
    }

    internal void CountForwarded(int bytes, bool toUpstream) =>
        Interlocked.Add(ref toUpstream ? ref _bytesToUpstream : ref _bytesToClients, bytes);

    internal void Forget(ProxyConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_disposing.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException
                || (e is SocketException && _disposing.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // A client that gave up while still in the backlog; keep accepting the others.
                continue;
            }

            client.NoDelay = true;
            Interlocked.Increment(ref _acceptedConnections);
            lock (_gate)
            {
                if (_disposed)
                {
                    client.Dispose();
                    return;
                }

                // Decided under the lock, so a connection is either frozen by Blackhole or created frozen, never missed.
                _connections.Add(new ProxyConnection(this, client, _upstream, frozen: _blackholed));
            }
        }
    }

    private List<ProxyConnection> TakeConnections(Func<ProxyConnection, bool> which)
    {
        lock (_gate)
        {
            return TakeConnectionsLocked(which);
        }
    }

    // Removing before closing makes ActiveConnections drop as soon as the call returns.
    private List<ProxyConnection> TakeConnectionsLocked(Func<ProxyConnection, bool> which)
    {
        var taken = _connections.Where(which).ToList();
        foreach (var connection in taken)
        {
            _connections.Remove(connection);
        }

        return taken;
    }
}
