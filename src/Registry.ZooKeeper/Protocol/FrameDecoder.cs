using System.Buffers;
using System.Buffers.Binary;

namespace Registry.ZooKeeper.Protocol;

/// <summary>
/// Splits a byte stream into length-prefixed frames. Pure: it looks only at the bytes it is given,
/// so it can be tested with the stream split at every byte boundary.
/// </summary>
internal static class FrameDecoder
{
    /// <summary>The server's default jute.maxbuffer is 1 MiB; replies (getChildren of a huge node) may be larger, so allow some headroom.</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>
    /// Tries to take one frame from the front of <paramref name="buffer"/>. On success the frame's payload
    /// (without the 4-byte prefix) is returned and <paramref name="buffer"/> is advanced past it.
    /// </summary>
    /// <exception cref="InvalidDataException">The length prefix is negative or larger than <paramref name="maxFrameSize"/>.</exception>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxFrameSize, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 0 || length > maxFrameSize)
        {
            throw new InvalidDataException($"frame length {length} is outside 0..{maxFrameSize}");
        }

        if (buffer.Length - 4 < length)
        {
            return false;
        }

        frame = buffer.Slice(4, length);
        buffer = buffer.Slice(frame.End);
        return true;
    }
}
