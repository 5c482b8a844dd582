using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Registry.V1;

namespace Registry.Benchmarks;

/// <summary>
/// A lean load generator for <c>watch-streams --client h2c</c>: many gRPC Watch calls (every service, no resume) on one
/// cleartext HTTP/2 connection, read by one loop that parses the frames and each stream's gRPC messages
/// (<see cref="WatchEvent"/>, with the generated parser) and reports them with the time their bytes arrived.
/// </summary>
/// <remarks>
/// Why not Grpc.Net.Client: with the client on the same cores as the server, the client's cost per message is in
/// the measured delivery time, and Grpc.Net.Client over SocketsHttpHandler spends ~3× the server's CPU per
/// delivered message (measured by the benchmark's CPU columns). This reader does what h2load does for HTTP/2 load: it
/// opens the calls, keeps the connection healthy (SETTINGS and PING acknowledgements, flow-control windows) and never
/// decodes response headers (HPACK), since a Watch's headers carry nothing it needs; a stream that ends (trailers,
/// RST_STREAM, GOAWAY) is reported as failed, because a Watch only ends when the client cancels it.
/// </remarks>
internal sealed class H2cWatchConnection : IAsyncDisposable
{
    private const string WatchPath = "/registry.v1.Registry/Watch";
    private const int FrameHeaderLength = 9;
    private const int MaxWindow = int.MaxValue;

    // Receive windows are opened to the maximum once; an update is sent whenever this much has been consumed since.
    private const int WindowRefill = 1 << 30;

    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8;
    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8;

    private readonly Socket _socket;
    private readonly int _firstStream;
    private readonly CallReader[] _streams;
    private readonly Action<int, WatchEvent, long> _onEvent;
    private readonly Action<int, string> _onFailure;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private long _connectionConsumed;
    private Task _reading = Task.CompletedTask;

    private H2cWatchConnection(Socket socket, int firstStream, int streams, Action<int, WatchEvent, long> onEvent, Action<int, string> onFailure)
    {
        _socket = socket;
        _firstStream = firstStream;
        _streams = [.. Enumerable.Range(0, streams).Select(_ => new CallReader())];
        _onEvent = onEvent;
        _onFailure = onFailure;
    }

    /// <summary>
    /// Connects, opens <paramref name="streams"/> Watch calls and starts reading. Events and failures are reported
    /// with the benchmark's stream number: <paramref name="firstStream"/> + the call's index on this connection.
    /// </summary>
    public static async Task<H2cWatchConnection> OpenAsync(
        Uri address, int firstStream, int streams, Action<int, WatchEvent, long> onEvent, Action<int, string> onFailure, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address.Host, address.Port, cancellationToken).ConfigureAwait(false);
            var connection = new H2cWatchConnection(socket, firstStream, streams, onEvent, onFailure);
            await connection.SendAsync(OpeningBytes(address.Authority, streams), cancellationToken).ConfigureAwait(false);
            connection._reading = Task.Run(connection.ReadLoopAsync, CancellationToken.None);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _reading.ConfigureAwait(false);
        _stop.Dispose();
        _writeLock.Dispose();
    }

    /// <summary>The preface, SETTINGS (no push, the largest stream window), the connection window, and every call.</summary>
    private static byte[] OpeningBytes(string authority, int streams)
    {
        var bytes = new List<byte>();
        bytes.AddRange("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        var settings = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x2); // SETTINGS_ENABLE_PUSH
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(2), 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings.AsSpan(6), 0x4); // SETTINGS_INITIAL_WINDOW_SIZE
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(8), MaxWindow);
        AddFrame(bytes, Settings, 0, 0, settings);
        AddFrame(bytes, WindowUpdate, 0, 0, WindowIncrement(MaxWindow - 65_535));

        var headerBlock = RequestHeaders(authority);
        var emptyRequest = new byte[5]; // gRPC framing: not compressed, length 0 (an empty WatchRequest)
        for (var i = 0; i < streams; i++)
        {
            var id = StreamId(i);
            AddFrame(bytes, Headers, EndHeaders, id, headerBlock);
            AddFrame(bytes, Data, EndStream, id, emptyRequest);
        }

        return [.. bytes];
    }

    /// <summary>
    /// HPACK without the dynamic table or Huffman coding (RFC 7541): :method POST and :scheme http from the static
    /// table, the rest as literals that are never indexed, so every call's block is the same bytes.
    /// </summary>
    private static byte[] RequestHeaders(string authority)
    {
        var block = new List<byte> { 0x80 | 3, 0x80 | 6 }; // :method: POST, :scheme: http
        Literal(block, 4, WatchPath); // :path
        Literal(block, 1, authority); // :authority
        Literal(block, 31, "application/grpc"); // content-type
        block.Add(0x00); // a literal with a new name
        String(block, "te");
        String(block, "trailers");
        return [.. block];

        static void Literal(List<byte> block, int nameIndex, string value)
        {
            Integer(block, 0x00, 4, nameIndex);
            String(block, value);
        }

        static void String(List<byte> block, string value)
        {
            var bytes = Encoding.ASCII.GetBytes(value);
            Integer(block, 0x00, 7, bytes.Length);
            block.AddRange(bytes);
        }

        // An integer with an N-bit prefix (RFC 7541 §5.1).
        static void Integer(List<byte> block, byte pattern, int prefixBits, int value)
        {
            var max = (1 << prefixBits) - 1;
            if (value < max)
            {
                block.Add((byte)(pattern | value));
                return;
            }

            block.Add((byte)(pattern | max));
            for (value -= max; value >= 0x80; value >>= 7)
            {
                block.Add((byte)((value & 0x7f) | 0x80));
            }

            block.Add((byte)value);
        }
    }

    private static int StreamId(int index) => (2 * index) + 1;

    private static byte[] WindowIncrement(int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return payload;
    }

    private static void AddFrame(List<byte> bytes, byte type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        header[0] = (byte)(payload.Length >> 16);
        header[1] = (byte)(payload.Length >> 8);
        header[2] = (byte)payload.Length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header[5..], streamId);
        bytes.AddRange(header);
        bytes.AddRange(payload);
    }

    private async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var sent = 0; sent < bytes.Length;)
            {
                sent += await _socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        var start = 0;
        var end = 0;
        try
        {
            while (true)
            {
                if (buffer.Length - end < 16_384 + FrameHeaderLength)
                {
                    // Compact: what is left is less than one frame, so this stays cheap.
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                var read = await _socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, _stop.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    FailAll("the server closed the connection");
                    return;
                }

                var arrived = Stopwatch.GetTimestamp();
                end += read;
                while (end - start >= FrameHeaderLength)
                {
                    var length = (buffer[start] << 16) | (buffer[start + 1] << 8) | buffer[start + 2];
                    if (end - start < FrameHeaderLength + length)
                    {
                        break;
                    }

                    var type = buffer[start + 3];
                    var flags = buffer[start + 4];
                    var streamId = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(start + 5)) & int.MaxValue;
                    var payload = buffer.AsMemory(start + FrameHeaderLength, length);
                    start += FrameHeaderLength + length;
                    if (!await OnFrameAsync(type, flags, streamId, payload, arrived).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!_stop.IsCancellationRequested)
            {
                FailAll($"the connection failed: {e.Message}");
            }
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            FailAll($"unreadable data from the server: {e.Message}");
        }
    }

    /// <summary>Handles one frame; false when the connection is over (GOAWAY).</summary>
    private async ValueTask<bool> OnFrameAsync(byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload, long arrived)
    {
        switch (type)
        {
            case Data:
                await OnDataAsync(flags, streamId, payload, arrived).ConfigureAwait(false);
                break;
            case Headers when (flags & EndStream) != 0:
                Fail(streamId, "the server ended the call (trailers)");
                break;
            case RstStream:
                Fail(streamId, $"the server reset the stream (RST_STREAM, error {BinaryPrimitives.ReadUInt32BigEndian(payload.Span)})");
                break;
            case Settings when (flags & Ack) == 0:
                await SendFrameAsync(Settings, Ack, 0, ReadOnlyMemory<byte>.Empty).ConfigureAwait(false);
                break;
            case Ping when (flags & Ack) == 0:
                await SendFrameAsync(Ping, Ack, 0, payload).ConfigureAwait(false);
                break;
            case GoAway:
                var reason = Encoding.UTF8.GetString(payload.Span[Math.Min(8, payload.Length)..]);
                FailAll($"the server sent GOAWAY (error {(payload.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(payload.Span[4..]) : 0)}{(reason.Length > 0 ? $": {reason}" : "")})");
                return false;
        }

        // HEADERS without END_STREAM, CONTINUATION, WINDOW_UPDATE, PRIORITY: nothing this reader needs.
        return true;
    }

    private async ValueTask OnDataAsync(byte flags, int streamId, ReadOnlyMemory<byte> payload, long arrived)
    {
        var consumed = payload.Length;
        if ((flags & Padded) != 0 && payload.Length > 0)
        {
            payload = payload[1..^payload.Span[0]];
        }

        var index = (streamId - 1) / 2;
        if (streamId % 2 == 1 && index < _streams.Length)
        {
            var stream = _streams[index];
            foreach (var message in stream.Append(payload.Span))
            {
                _onEvent(_firstStream + index, message, arrived);
            }

            if ((stream.Consumed += consumed) >= WindowRefill)
            {
                await SendFrameAsync(WindowUpdate, 0, streamId, WindowIncrement((int)stream.Consumed)).ConfigureAwait(false);
                stream.Consumed = 0;
            }
        }

        if ((_connectionConsumed += consumed) >= WindowRefill)
        {
            await SendFrameAsync(WindowUpdate, 0, 0, WindowIncrement((int)_connectionConsumed)).ConfigureAwait(false);
            _connectionConsumed = 0;
        }

        if ((flags & EndStream) != 0)
        {
            Fail(streamId, "the server ended the call (END_STREAM on DATA)");
        }
    }

    private Task SendFrameAsync(byte type, byte flags, int streamId, ReadOnlyMemory<byte> payload)
    {
        var bytes = new List<byte>(FrameHeaderLength + payload.Length);
        AddFrame(bytes, type, flags, streamId, payload.Span);
        return SendAsync([.. bytes], _stop.Token);
    }

    private void Fail(int streamId, string reason)
    {
        if (!_stop.IsCancellationRequested && streamId % 2 == 1 && (streamId - 1) / 2 < _streams.Length)
        {
            _onFailure(_firstStream + ((streamId - 1) / 2), reason);
        }
    }

    private void FailAll(string reason)
    {
        for (var i = 0; i < _streams.Length; i++)
        {
            _onFailure(_firstStream + i, reason);
        }
    }

    /// <summary>One call's gRPC message framing (gRPC over HTTP/2: a compressed-flag byte, a 4-byte big-endian length, the message).</summary>
    private sealed class CallReader
    {
        private byte[] _pending = new byte[512];
        private int _length;

        public long Consumed { get; set; }

        public List<WatchEvent> Append(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _pending.Length)
            {
                Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _length + bytes.Length));
            }

            bytes.CopyTo(_pending.AsSpan(_length));
            _length += bytes.Length;
            var messages = new List<WatchEvent>(1);
            var offset = 0;
            while (_length - offset >= 5)
            {
                if (_pending[offset] != 0)
                {
                    throw new InvalidDataException("a compressed gRPC message: the benchmark does not ask for compression");
                }

                var size = BinaryPrimitives.ReadInt32BigEndian(_pending.AsSpan(offset + 1));
                if (_length - offset - 5 < size)
                {
                    break;
                }

                messages.Add(WatchEvent.Parser.ParseFrom(_pending.AsSpan(offset + 5, size)));
                offset += 5 + size;
            }

            Buffer.BlockCopy(_pending, offset, _pending, 0, _length - offset);
            _length -= offset;
            return messages;
        }
    }
}
