using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// TCP on one endpoint: accepts connections up to <see cref="DnsTcpOptions.MaxConnections"/> and serves each with a
/// <see cref="DnsTcpConnection"/>; one past the limit is closed as soon as it is accepted, so that a flood of idle
/// connections costs the clients that make it, not the ones already served.
/// </summary>
internal sealed class DnsTcpListener : IAsyncDisposable
{
    private const int Backlog = 512;

    private readonly Socket _listener;
    private readonly DnsQueryProcessor _processor;
    private readonly IDnsSpecialQueryHandler? _special;
    private readonly DnsTcpOptions _options;
    private readonly DnsTransportCounters _counters;
    private readonly ILogger _logger;
    private readonly LogThrottle _limitThrottle = new(TimeSpan.FromSeconds(1));
    private readonly LogThrottle _errorThrottle = new(TimeSpan.FromSeconds(1));
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<DnsTcpConnection, Task> _connections = new();
    private int _open;
    private Task _accepting = Task.CompletedTask;

    private DnsTcpListener(Socket listener, DnsQueryProcessor processor, IDnsSpecialQueryHandler? special, DnsTcpOptions options, DnsTransportCounters counters, ILogger logger)
    {
        _listener = listener;
        _processor = processor;
        _special = special;
        _options = options;
        _counters = counters;
        _logger = logger;
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections being served now.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <exception cref="SocketException">The endpoint cannot be bound.</exception>
    public static DnsTcpListener Bind(IPEndPoint endpoint, DnsQueryProcessor processor, IDnsSpecialQueryHandler? special, DnsTcpOptions options, DnsTransportCounters counters, ILogger logger)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            listener.Bind(endpoint);
            listener.Listen(Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        return new DnsTcpListener(listener, processor, special, options, counters, logger);
    }

    public void Start() => _accepting = Task.Run(AcceptLoopAsync);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // Out of file descriptors and the like: back off a little rather than spin on the error.
                _counters.Error();
                if (_errorThrottle.Allow())
                {
                    DnsTransportLog.AcceptError(_logger, e, Endpoint);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            if (Interlocked.Increment(ref _open) > _options.MaxConnections)
            {
                Interlocked.Decrement(ref _open);
                _counters.TcpRefuse();
                client.Dispose();
                if (_limitThrottle.Allow())
                {
                    DnsTransportLog.TcpLimit(_logger, _options.MaxConnections, _counters.TcpRefused);
                }

                continue;
            }

            _counters.TcpConnection();
            var connection = new DnsTcpConnection(client, _processor, _special, _options, _counters, _logger, _errorThrottle);
            var served = Task.Run(() => ServeAsync(connection, stopping), CancellationToken.None);
            _connections[connection] = served;
            if (served.IsCompleted)
            {
                _connections.TryRemove(connection, out _); // it ended before it was recorded
            }
        }
    }

    private async Task ServeAsync(DnsTcpConnection connection, CancellationToken stopping)
    {
        try
        {
            await connection.RunAsync(stopping).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
            _connections.TryRemove(connection, out _);
        }
    }
}
