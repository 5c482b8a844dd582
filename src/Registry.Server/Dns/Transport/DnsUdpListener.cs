using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// UDP on one endpoint: several receive loops, each answering in place from the buffers it owns, so that a query on the
/// fast path allocates nothing (<see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, SocketAddress)"/> fills a
/// reused <see cref="SocketAddress"/>).
/// </summary>
/// <remarks>
/// <para>
/// Each loop is a dedicated thread blocked in the kernel's receive, as Knot's and BIND's UDP workers are, not an async
/// loop: with <c>ReceiveFromAsync</c>/<c>SendToAsync</c> (also allocation-free) the same transport served about 65k
/// queries/s under dnsperf on the 2-core machine, with blocking calls about 100k, because every async completion costs
/// a trip through the socket engine and the thread pool, and a DNS answer costs less than that trip. The threads do
/// nothing but socket calls and CPU-bound answering; disposing the socket wakes them.
/// </para>
/// <para>
/// On Linux every loop has its own socket, bound with SO_REUSEPORT to the same endpoint, and the kernel spreads the
/// clients over them (as Knot and CoreDNS do), so loops never contend for one socket. Only sockets of the same user can
/// join such a group, and the first bind still fails if another program holds the port. Elsewhere one socket and one
/// loop serve.
/// </para>
/// <para>
/// On 64-bit Linux a loop is a <see cref="DnsUdpBatchLoop"/>: recvmmsg/sendmmsg move up to 32 datagrams per system call,
/// which under load halves again what a cached answer costs; elsewhere it is the one-datagram loop below.
/// </para>
/// <para>
/// A loop ends only when its socket is closed (or, batched, when the stop is asked for): every other exception is counted, logged at most once a second, and
/// the loop goes on with the next datagram.
/// </para>
/// </remarks>
internal sealed class DnsUdpListener : IAsyncDisposable
{
    private const int SolSocket = 1; // SOL_SOCKET on Linux
    private const int SoReusePort = 15; // SO_REUSEPORT on Linux

    /// <summary>
    /// The receive buffer asked for (the kernel caps it at net.core.rmem_max). Linux's default, about 200 KB, holds only
    /// a few hundred small datagrams once its per-packet overhead is counted, and a burst larger than that is dropped
    /// before a loop can read it: dnsperf's 500 outstanding queries lost hundreds with the default.
    /// </summary>
    private const int ReceiveBufferBytes = 4 << 20;

    private readonly Socket[] _sockets;
    private readonly DnsQueryProcessor _processor;
    private readonly IDnsSpecialQueryHandler? _special;
    private readonly DnsTransportCounters _counters;
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle = new(TimeSpan.FromSeconds(1));
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private Task[] _loops = [];

    private DnsUdpListener(Socket[] sockets, DnsQueryProcessor processor, IDnsSpecialQueryHandler? special, DnsTransportCounters counters, ILogger logger)
    {
        _sockets = sockets;
        _processor = processor;
        _special = special;
        _counters = counters;
        _logger = logger;
        _stoppingToken = _stopping.Token;
    }

    public IPEndPoint Endpoint => (IPEndPoint)_sockets[0].LocalEndPoint!;

    /// <summary>The number of receive loops (and sockets).</summary>
    public int Loops => _sockets.Length;

    /// <summary>Binds <paramref name="loops"/> sockets (one where SO_REUSEPORT is not available).</summary>
    /// <exception cref="SocketException">The endpoint cannot be bound (taken, or not a local address).</exception>
    public static DnsUdpListener Bind(IPEndPoint endpoint, int loops, DnsQueryProcessor processor, IDnsSpecialQueryHandler? special, DnsTransportCounters counters, ILogger logger)
    {
        var count = OperatingSystem.IsLinux() ? Math.Max(1, loops) : 1;
        var sockets = new List<Socket>(count);
        try
        {
            var bound = endpoint;
            for (var i = 0; i < count; i++)
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = ReceiveBufferBytes };
                sockets.Add(socket);
                if (count > 1)
                {
                    socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
                }

                // Every socket after the first binds the port the first got (which matters when the endpoint says port 0).
                socket.Bind(bound);
                bound = (IPEndPoint)socket.LocalEndPoint!;
            }
        }
        catch
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }

            throw;
        }

        return new DnsUdpListener([.. sockets], processor, special, counters, logger);
    }

    /// <summary>Starts one receive thread per socket (background: a stuck one never holds the process).</summary>
    public void Start() => _loops = [.. _sockets.Select((socket, i) =>
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop(socket);
            }
            finally
            {
                done.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = $"dns-udp-{i}",
        };
        thread.Start();
        return done.Task;
    })];

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (LinuxUdp.IsSupported)
        {
            // The batch loops use the raw descriptor: they must be gone before it is closed, or a descriptor number
            // reused by another socket could be read. They notice the stop within one poll timeout.
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }

        foreach (var socket in _sockets)
        {
            socket.Dispose(); // wakes a blocked receive: the loop sees ObjectDisposedException or SocketException and returns
        }

        await Task.WhenAll(_loops).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Receives, answers and sends until the socket is closed; see the remarks for why it blocks.</summary>
    private void ReceiveLoop(Socket socket)
    {
        if (LinuxUdp.IsSupported)
        {
            using var batch = new DnsUdpBatchLoop(
                socket,
                _processor,
                _counters,
                (message, peer) => _ = HandleSpecialAsync(socket, message, peer),
                Failed,
                () => _stopping.IsCancellationRequested);
            batch.Run();
            return;
        }


        var received = GC.AllocateUninitializedArray<byte>(DnsQueryProcessor.MaxMessageLength, pinned: true);
        var reply = GC.AllocateUninitializedArray<byte>(DnsQueryProcessor.MaxMessageLength, pinned: true);
        var peer = new SocketAddress(socket.AddressFamily);
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var length = socket.ReceiveFrom(received, SocketFlags.None, peer);
                var message = received.AsSpan(0, length);
                var answer = _processor.Answer(message, tcp: false, out var query);
                switch (answer.Kind)
                {
                    case DnsReplyKind.Bytes:
                        answer.WriteTo(reply, message, query);
                        socket.SendTo(reply.AsSpan(0, answer.Length), SocketFlags.None, peer);
                        break;
                    case DnsReplyKind.Special:
                        _ = HandleSpecialAsync(socket, message.ToArray(), (IPEndPoint)Endpoint.Create(peer));
                        break;
                    default:
                        break;
                }
            }
            catch (ObjectDisposedException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a receive loop must outlive any one datagram's failure
            catch (Exception e)
#pragma warning restore CA1031
            {
                Failed(e);
            }
        }
    }

    /// <summary>Counts a loop's failure and logs it, at most once a second.</summary>
    private void Failed(Exception e)
    {
        _counters.Error();
        if (_throttle.Allow())
        {
            DnsTransportLog.UdpError(_logger, e, Endpoint, _counters.Errors);
        }
    }

    /// <summary>Runs the special handler off the receive loop: a transfer handler may take its time.</summary>
    private async Task HandleSpecialAsync(Socket socket, byte[] message, IPEndPoint peer)
    {
        try
        {
            await _special!.HandleAsync(
                message,
                peer,
                overTcp: false,
                async (response, ct) => await socket.SendToAsync(response, SocketFlags.None, peer, ct).ConfigureAwait(false),
                _stoppingToken).ConfigureAwait(false);
        }
        catch (Exception) when (_stoppingToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // the handler's failure costs its query, not the listener
        catch (Exception e)
#pragma warning restore CA1031
        {
            _counters.Error();
            DnsTransportLog.SpecialFailed(_logger, e, peer);
        }
    }
}
