using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// One TCP client (RFC 7766): length-prefixed messages, pipelined. A read loop answers every complete message as soon
/// as it has it and queues the answer; a write loop sends the queue in order, so reading goes on while answers are
/// written, and writes never interleave.
/// </summary>
/// <remarks>
/// The connection closes when the client closes, sends a zero length (RFC 7766 does not define one; BIND and Knot
/// close too), stays idle for <see cref="DnsTcpOptions.IdleTimeout"/>, or does not take an answer within that time
/// (its queue is bounded, so a client that does not read holds only its own connection, and only for that long).
/// Transfers and TSIG-signed messages are answered by the special handler in line: the messages after them wait,
/// which keeps a transfer's messages together.
/// </remarks>
internal sealed class DnsTcpConnection
{
    private const int InitialBufferLength = 4096;

    private readonly Socket _socket;
    private readonly DnsQueryProcessor _processor;
    private readonly IDnsSpecialQueryHandler? _special;
    private readonly DnsTcpOptions _options;
    private readonly DnsTransportCounters _counters;
    private readonly ILogger _logger;
    private readonly LogThrottle _errorThrottle;
    private readonly Channel<DnsTcpFrame> _writes;
    private readonly EndPoint? _peer;

    public DnsTcpConnection(Socket socket, DnsQueryProcessor processor, IDnsSpecialQueryHandler? special, DnsTcpOptions options, DnsTransportCounters counters, ILogger logger, LogThrottle errorThrottle)
    {
        _socket = socket;
        _processor = processor;
        _special = special;
        _options = options;
        _counters = counters;
        _logger = logger;
        _errorThrottle = errorThrottle;
        _peer = socket.RemoteEndPoint;
        _writes = Channel.CreateBounded<DnsTcpFrame>(new BoundedChannelOptions(options.MaxPendingWrites)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Serves the connection until it closes; never throws. Closes the socket.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
        var writer = WriteLoopAsync(closing);
        string reason;
        try
        {
            _socket.NoDelay = true; // answers are small and pipelined: Nagle would hold the second back for the first's ACK
            reason = await ReadLoopAsync(idle, closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested)
        {
            reason = stopping.IsCancellationRequested ? "the server stops"
                : closing.IsCancellationRequested ? "an answer could not be written in time (the client does not read)"
                : "idle";
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            reason = e.Message;
        }
#pragma warning disable CA1031 // one connection's failure must not reach the accept loop
        catch (Exception e)
#pragma warning restore CA1031
        {
            _counters.Error();
            if (_errorThrottle.Allow())
            {
                DnsTransportLog.TcpError(_logger, e, _peer, _counters.Errors);
            }

            reason = "error";
        }

        // The answers already queued still go out (each within the write timeout), then the socket closes.
        _writes.Writer.TryComplete();
        await writer.ConfigureAwait(false);
        _socket.Dispose();
        while (_writes.Reader.TryRead(out var frame))
        {
            frame.Return();
        }

        DnsTransportLog.TcpClosed(_logger, _peer, reason);
    }

    private async Task<string> ReadLoopAsync(CancellationTokenSource idle, CancellationToken closing)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferLength);
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                while (end - start >= 2)
                {
                    int length = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start));
                    if (length == 0)
                    {
                        return "a zero message length";
                    }

                    if (end - start - 2 < length)
                    {
                        break;
                    }

                    var message = buffer.AsMemory(start + 2, length);
                    start += 2 + length;
                    if (!await AnswerAsync(message, closing).ConfigureAwait(false))
                    {
                        return "the transfer/TSIG handler failed";
                    }
                }

                // Keep the partial message at the front, in a buffer that can hold all of it.
                var pending = end - start;
                var needed = pending >= 2 ? 2 + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(start)) : InitialBufferLength;
                if (needed > buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(2 + DnsQueryProcessor.MaxMessageLength);
                    buffer.AsSpan(start, pending).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                else if (start > 0)
                {
                    buffer.AsSpan(start, pending).CopyTo(buffer);
                }

                start = 0;
                end = pending;

                idle.CancelAfter(_options.IdleTimeout);
                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, idle.Token).ConfigureAwait(false);
                idle.CancelAfter(Timeout.InfiniteTimeSpan);
                if (read == 0)
                {
                    return "closed by the client";
                }

                end += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Answers one message; false when the special handler failed (the connection closes).</summary>
    private async ValueTask<bool> AnswerAsync(ReadOnlyMemory<byte> message, CancellationToken closing)
    {
        var kind = Answer(message.Span, out var frame);
        if (kind == DnsReplyKind.Bytes)
        {
            if (!_writes.Writer.TryWrite(frame))
            {
                // The queue is full: stop reading until the writer catches up (or times out and closes).
                try
                {
                    await _writes.Writer.WriteAsync(frame, closing).ConfigureAwait(false);
                }
                catch
                {
                    frame.Return();
                    throw;
                }
            }

            return true;
        }

        if (kind != DnsReplyKind.Special || _special is null)
        {
            return true; // dropped (a response)
        }

        try
        {
            await _special.HandleAsync(message, (IPEndPoint)_peer!, overTcp: true, SendAsync, closing).ConfigureAwait(false);
            return true;
        }
        catch (Exception) when (closing.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // the handler's failure closes its connection, nothing more
        catch (Exception e)
#pragma warning restore CA1031
        {
            _counters.Error();
            DnsTransportLog.SpecialFailed(_logger, e, _peer);
            return false;
        }
    }

    /// <summary>Answers <paramref name="message"/>; <paramref name="frame"/> holds the answer when the kind is <see cref="DnsReplyKind.Bytes"/>.</summary>
    private DnsReplyKind Answer(ReadOnlySpan<byte> message, out DnsTcpFrame frame)
    {
        frame = default;
        var reply = _processor.Answer(message, tcp: true, out var query);
        if (reply.Kind == DnsReplyKind.Bytes)
        {
            frame = DnsTcpFrame.Rent(reply.Length);
            reply.WriteTo(frame.Message, message, query);
        }

        return reply.Kind;
    }

    /// <summary>The special handler's <c>send</c>: frames one message and queues it, waiting while the queue is full.</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> response, CancellationToken cancellationToken)
    {
        var frame = DnsTcpFrame.Rent(response.Length);
        response.Span.CopyTo(frame.Message);
        try
        {
            await _writes.Writer.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            frame.Return();
            throw;
        }
    }

    /// <summary>Sends the queued answers in order; on a failure or a send slower than the timeout, closes the connection.</summary>
    private async Task WriteLoopAsync(CancellationTokenSource closing)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closing.Token);
        try
        {
            while (await _writes.Reader.WaitToReadAsync(closing.Token).ConfigureAwait(false))
            {
                while (_writes.Reader.TryRead(out var frame))
                {
                    try
                    {
                        timeout.CancelAfter(_options.IdleTimeout);
                        await _socket.SendAsync(frame.Bytes, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                        timeout.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                    finally
                    {
                        frame.Return();
                    }
                }
            }
        }
#pragma warning disable CA1031 // whatever ends the writing ends the connection
        catch (Exception)
#pragma warning restore CA1031
        {
            if (timeout.IsCancellationRequested && !closing.IsCancellationRequested)
            {
                _counters.TcpCloseSlow();
            }

            await closing.CancelAsync().ConfigureAwait(false);
        }
    }
}
