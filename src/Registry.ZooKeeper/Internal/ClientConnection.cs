using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Internal;

/// <summary>
/// One TCP connection to one server, carrying a session. It has one read loop, one write loop, a heartbeat, and
/// a FIFO of requests awaiting replies (the server answers in request order). Every fatal error goes through
/// <see cref="Break"/>, which runs once: it closes the socket, fails every request in flight with ConnectionLoss
/// and completes <see cref="Completion"/>, which the session uses to reconnect.
/// </summary>
#pragma warning disable CA1001 // _shutdown never has a timer or wait handle, so it holds nothing to free; disposing it would race the loops reading its token.
internal sealed partial class ClientConnection
#pragma warning restore CA1001
{
    private const int ReceiveBufferSize = 64 * 1024;
    private const int MaxWriteBatchBytes = 256 * 1024;

    private readonly Socket _socket;
    private readonly IConnectionOwner _owner;
    private readonly ILogger _logger;
    private readonly int _maxFrameSize;
    private readonly int _maxRequestSize;
    // Synchronous continuations: a caller that finds the write loop idle runs it on its own thread, so a lone
    // request is sent without a thread-pool hop; while the loop is busy, callers only enqueue and the loop batches.
    private readonly Channel<PendingRequest> _outgoing = Channel.CreateUnbounded<PendingRequest>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    private readonly Queue<PendingRequest> _pending = new();
    private readonly Queue<PendingRequest> _pendingAuth = new();
    private readonly Lock _pendingLock = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource<Exception> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PingRequest _ping = new();
    private int _broken;
    private int _pingQueued;
    private int _xid;
    private long _lastSendTicks;
    private long _lastReceiveTicks;
    private int _sessionTimeoutMs;

    private ClientConnection(Socket socket, IConnectionOwner owner, ILogger logger, int maxFrameSize, int maxRequestSize)
    {
        _socket = socket;
        _owner = owner;
        _logger = logger;
        _maxFrameSize = maxFrameSize;
        _maxRequestSize = maxRequestSize;
        RemoteEndPoint = socket.RemoteEndPoint!;
        _lastSendTicks = _lastReceiveTicks = Environment.TickCount64;
    }

    public EndPoint RemoteEndPoint { get; }

    /// <summary>Completes, with the reason, when the connection is broken.</summary>
    public Task<Exception> Completion => _completion.Task;

    public bool IsBroken => Volatile.Read(ref _broken) != 0;

    /// <summary>Connects and performs the session handshake; the loops start with <see cref="Start"/>.</summary>
    /// <exception cref="IOException">The server closed the connection during the handshake (e.g. it is behind the client's zxid).</exception>
    /// <exception cref="SocketException">The TCP connection failed.</exception>
    /// <exception cref="OperationCanceledException">The attempt timed out or was canceled.</exception>
    public static async Task<(ClientConnection Connection, ConnectResponse Response)> OpenAsync(
        EndPoint endPoint,
        ConnectRequest request,
        TimeSpan timeout,
        ZooKeeperClientOptions options,
        IConnectionOwner owner,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        var socket = new Socket(endPoint.AddressFamily == AddressFamily.Unspecified ? AddressFamily.InterNetwork : endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
        };
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            await socket.ConnectAsync(endPoint, deadline.Token).ConfigureAwait(false);

            var writer = new JuteWriter(128);
            var start = writer.BeginFrame();
            request.Write(writer);
            writer.EndFrame(start);
            await socket.SendAsync(writer.WrittenMemory, SocketFlags.None, deadline.Token).ConfigureAwait(false);

            var frame = await ReceiveHandshakeFrameAsync(socket, deadline.Token).ConfigureAwait(false);
            var response = ReadConnectResponse(frame);
            var connection = new ClientConnection(socket, owner, logger, options.MaxFrameSize, options.MaxRequestSize) { _xid = options.InitialXid };
            return (connection, response);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the loops with the negotiated session timeout.</summary>
    public void Start(int sessionTimeoutMs)
    {
        _sessionTimeoutMs = sessionTimeoutMs;
        _ = Task.Run(ReadLoopAsync);
        _ = Task.Run(WriteLoopAsync);
        _ = Task.Run(HeartbeatLoopAsync);
    }

    /// <summary>Queues a request; false when the connection is broken (the caller reports ConnectionLoss).</summary>
    public bool TryEnqueue(PendingRequest request) => _outgoing.Writer.TryWrite(request);

    /// <summary>Breaks the connection once: closes the socket and fails every request it holds.</summary>
    public void Break(Exception reason)
    {
        if (Interlocked.Exchange(ref _broken, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _shutdown.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer; closing below is all that is left to do.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();

        List<PendingRequest> failed;
        lock (_pendingLock)
        {
            failed = [.. _pending, .. _pendingAuth];
            _pending.Clear();
            _pendingAuth.Clear();
        }

        foreach (var request in failed)
        {
            request.Fail(new ConnectionLossException(request.Path, reason.Message));
        }

        // Requests still queued are failed by the write loop as it drains (it is the channel's single reader).
        _completion.TrySetResult(reason);
    }

    private static async Task<byte[]> ReceiveHandshakeFrameAsync(Socket socket, CancellationToken cancellationToken)
    {
        var prefix = new byte[4];
        await ReceiveExactlyAsync(socket, prefix, cancellationToken).ConfigureAwait(false);
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prefix);

        // A connect response is 37 bytes; anything far larger is not a ZooKeeper server talking.
        if (length is < 0 or > 4096)
        {
            throw new InvalidDataException($"handshake frame length {length} is not a ZooKeeper connect response");
        }

        var frame = new byte[length];
        await ReceiveExactlyAsync(socket, frame, cancellationToken).ConfigureAwait(false);
        return frame;
    }

    private static ConnectResponse ReadConnectResponse(byte[] frame)
    {
        // A server that refuses to open the session answers with an error reply instead (e.g. NotReadOnly from a
        // read-only 3.8 server asked for a new global session).
        if (frame.Length == ReplyHeader.Size)
        {
            var headerReader = new JuteReader(frame);
            var header = ReplyHeader.Read(ref headerReader);
            if (header.Err != KeeperErrorCode.Ok)
            {
                throw KeeperException.Create(header.Err, null, "the server refused to open the session");
            }
        }

        try
        {
            var reader = new JuteReader(frame);
            return ConnectResponse.Read(ref reader);
        }
        catch (JuteException ex)
        {
            throw new InvalidDataException($"the handshake reply ({Convert.ToHexString(frame)}) is not a connect response: {ex.Message}", ex);
        }
    }

    private static async Task ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (buffer.Length > 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the server closed the connection during the handshake (it may be behind this client's last seen zxid, or not serving)");
            }

            buffer = buffer[read..];
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[ReceiveBufferSize];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _shutdown.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Break(new IOException($"server {RemoteEndPoint} closed the connection"));
                    return;
                }

                Volatile.Write(ref _lastReceiveTicks, Environment.TickCount64);
                filled += read;
                var consumed = ProcessFrames(buffer, filled, out var nextFrameSize);
                if (consumed > 0)
                {
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }

                // Grow for a frame larger than the buffer; shrink back once a huge one has been handled.
                if (nextFrameSize > buffer.Length)
                {
                    Array.Resize(ref buffer, nextFrameSize);
                }
                else if (filled == 0 && buffer.Length > 16 * ReceiveBufferSize)
                {
                    buffer = new byte[ReceiveBufferSize];
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && IsBroken)
        {
            // Break already ran; it has reported the reason.
        }
#pragma warning disable CA1031 // Every failure of the loop breaks the connection, which reports it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Break(ex);
        }
    }

    /// <summary>Handles every complete frame in the buffer; returns the bytes consumed and the size needed for the next frame.</summary>
    private int ProcessFrames(byte[] buffer, int filled, out int nextFrameSize)
    {
        var sequence = new ReadOnlySequence<byte>(buffer, 0, filled);
        while (FrameDecoder.TryReadFrame(ref sequence, _maxFrameSize, out var frame))
        {
            ProcessFrame(frame.FirstSpan);
        }

        var consumed = filled - (int)sequence.Length;
        nextFrameSize = 0;
        if (sequence.Length >= 4)
        {
            Span<byte> prefix = stackalloc byte[4];
            sequence.Slice(0, 4).CopyTo(prefix);
            nextFrameSize = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(prefix) + 4;
        }

        return consumed;
    }

    private void ProcessFrame(ReadOnlySpan<byte> frame)
    {
        var reader = new JuteReader(frame);
        var header = ReplyHeader.Read(ref reader);
        switch (header.Xid)
        {
            case Xids.Notification:
                var watcherEvent = WatcherEvent.Read(ref reader);
                _owner.OnNotification(header, watcherEvent);
                return;
            case Xids.Ping:
                return;
        }

        PendingRequest? request;
        lock (_pendingLock)
        {
            // The server answers auth packets as it reads them, ahead of pipelined requests; everything else is in order.
            (header.Xid == Xids.Auth ? _pendingAuth : _pending).TryDequeue(out request);
        }

        if (request is null || request.Xid != header.Xid)
        {
            throw new InvalidDataException($"reply xid {header.Xid} does not match the oldest request in flight ({request?.Xid.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"})");
        }

        _owner.OnReply(request, header);
        request.Complete(header, ref reader);
    }

    private async Task WriteLoopAsync()
    {
        var writer = new JuteWriter(64 * 1024);
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                writer.Reset();
                while (writer.Length < MaxWriteBatchBytes && reader.TryRead(out var request))
                {
                    WriteRequest(writer, request);
                }

                if (writer.Length > 0)
                {
                    await _socket.SendAsync(writer.WrittenMemory, SocketFlags.None, _shutdown.Token).ConfigureAwait(false);
                    Volatile.Write(ref _lastSendTicks, Environment.TickCount64);
                }

                // More is already queued: continue on the thread pool rather than on the thread of the caller
                // that woke the loop, which must not be kept writing for everybody else.
                if (reader.TryPeek(out _))
                {
                    await Task.Yield();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && IsBroken)
        {
        }
#pragma warning disable CA1031 // Every failure of the loop breaks the connection, which reports it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Break(ex);
        }
        finally
        {
            Break(new IOException("the connection's write loop stopped"));
            while (reader.TryRead(out var request))
            {
                request.Fail(new ConnectionLossException(request.Path, "the connection was lost before the request was sent"));
            }
        }
    }

    private void WriteRequest(JuteWriter writer, PendingRequest request)
    {
        if (request.IsCompleted)
        {
            return; // canceled by its caller before it was sent: never send it
        }

        var start = writer.BeginFrame();
        if (request.Xid == 0)
        {
            _xid = Xids.Next(_xid);
            request.Xid = _xid;
        }

        new RequestHeader(request.Xid, request.OpCode).Write(writer);
        request.WriteBody(writer);
        var length = writer.EndFrame(start);
        if (length > _maxRequestSize)
        {
            writer.Truncate(start);
            request.Fail(new MarshallingErrorException(request.Path, $"request of {length} bytes exceeds the server's limit of {_maxRequestSize} bytes (jute.maxbuffer)"));
            return;
        }

        if (request.OpCode == OpCode.Ping)
        {
            Volatile.Write(ref _pingQueued, 0);
            return; // ping replies are not matched against the FIFO
        }

        lock (_pendingLock)
        {
            if (IsBroken)
            {
                request.Fail(new ConnectionLossException(request.Path, "the connection was lost before the request was sent"));
                return;
            }

            (request.OpCode == OpCode.Auth ? _pendingAuth : _pending).Enqueue(request);
        }
    }

    private async Task HeartbeatLoopAsync()
    {
        // Ping after a third of the session timeout without sending; declare the connection dead once nothing
        // has arrived for two thirds of it, so the client reconnects while the session is still alive.
        var pingIntervalMs = _sessionTimeoutMs / 3;
        var tickMs = Math.Clamp(_sessionTimeoutMs / 20, 10, 500);
        var readTimeoutMs = (_sessionTimeoutMs * 2 / 3) - tickMs;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(tickMs));
        try
        {
            while (await timer.WaitForNextTickAsync(_shutdown.Token).ConfigureAwait(false))
            {
                var now = Environment.TickCount64;
                var silentMs = now - Volatile.Read(ref _lastReceiveTicks);
                if (silentMs > readTimeoutMs)
                {
                    Break(new TimeoutException($"no data from server {RemoteEndPoint} for {silentMs} ms"));
                    return;
                }

                if (now - Volatile.Read(ref _lastSendTicks) >= pingIntervalMs && Interlocked.CompareExchange(ref _pingQueued, 1, 0) == 0)
                {
                    TryEnqueue(_ping);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A ping: reserved xid, no body, no reply to match.</summary>
    private sealed class PingRequest : PendingRequest
    {
        public PingRequest() => Xid = Xids.Ping;

        public override OpCode OpCode => OpCode.Ping;

        public override bool IsCompleted => false;

        public override void WriteBody(JuteWriter writer)
        {
        }

        public override void Complete(in ReplyHeader header, ref JuteReader body)
        {
        }

        public override void Fail(Exception exception)
        {
        }
    }
}
