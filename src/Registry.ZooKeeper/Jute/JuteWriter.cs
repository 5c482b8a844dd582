using System.Buffers.Binary;
using System.Text;

namespace Registry.ZooKeeper.Jute;

/// <summary>
/// Writes jute-encoded records into a growable buffer that is reused between frames, so that the
/// write loop allocates nothing per request in the steady state. Frames are length-prefixed:
/// <see cref="BeginFrame"/> reserves the prefix and <see cref="EndFrame"/> patches it.
/// </summary>
internal sealed class JuteWriter
{
    private byte[] _buffer;
    private int _position;

    public JuteWriter(int initialCapacity = 4096)
    {
        _buffer = new byte[Math.Max(initialCapacity, 16)];
    }

    public int Length => _position;

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _position);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _position);

    public void Reset() => _position = 0;

    /// <summary>Drops everything written after <paramref name="position"/> (a frame that must not be sent).</summary>
    public void Truncate(int position) => _position = Math.Clamp(position, 0, _position);

    /// <summary>Reserves the 4-byte length prefix of a frame and returns where it starts.</summary>
    public int BeginFrame()
    {
        var start = _position;
        WriteInt32(0);
        return start;
    }

    /// <summary>Writes the frame's length (excluding the prefix) at the position <see cref="BeginFrame"/> returned.</summary>
    public int EndFrame(int frameStart)
    {
        var length = _position - frameStart - 4;
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(frameStart, 4), length);
        return length;
    }

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Grow(4), value);

    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Grow(8), value);

    public void WriteBoolean(bool value) => Grow(1)[0] = value ? (byte)1 : (byte)0;

    /// <summary>A jute <c>ustring</c>; null writes length -1.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        WriteInt32(byteCount);
        Encoding.UTF8.GetBytes(value, Grow(byteCount));
    }

    /// <summary>A jute <c>buffer</c>; <paramref name="isNull"/> writes length -1 (the Java client's null byte[]).</summary>
    public void WriteBuffer(ReadOnlySpan<byte> value, bool isNull = false)
    {
        if (isNull)
        {
            WriteInt32(-1);
            return;
        }

        WriteInt32(value.Length);
        value.CopyTo(Grow(value.Length));
    }

    public void WriteStringVector(IReadOnlyCollection<string> values)
    {
        WriteInt32(values.Count);
        foreach (var value in values)
        {
            WriteString(value);
        }
    }

    private Span<byte> Grow(int count)
    {
        if (_position + count > _buffer.Length)
        {
            var size = Math.Max(_buffer.Length * 2, _position + count);
            Array.Resize(ref _buffer, size);
        }

        var span = _buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
