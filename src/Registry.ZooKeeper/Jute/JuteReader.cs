using System.Buffers.Binary;
using System.Text;

namespace Registry.ZooKeeper.Jute;

/// <summary>
/// Reads jute-encoded records (big-endian, length-prefixed, -1 meaning null) from one complete frame.
/// Every length is checked against what is left, so a hostile or corrupt frame fails with
/// <see cref="JuteException"/> instead of over-allocating or reading past the end.
/// </summary>
internal ref struct JuteReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public JuteReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public readonly int Remaining => _buffer.Length - _position;

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(Take(4));
        return value;
    }

    public long ReadInt64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public bool ReadBoolean() => Take(1)[0] != 0;

    /// <summary>A jute <c>ustring</c>: length then UTF-8; length -1 is null.</summary>
    public string? ReadString()
    {
        var length = ReadLength("string");
        return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>A jute <c>ustring</c> that the protocol never sends as null.</summary>
    public string ReadRequiredString(string field) =>
        ReadString() ?? throw new JuteException($"field '{field}' is null where the protocol requires a value");

    /// <summary>A jute <c>buffer</c>: length then bytes; length -1 is null.</summary>
    public byte[]? ReadBuffer()
    {
        var length = ReadLength("buffer");
        return length < 0 ? null : Take(length).ToArray();
    }

    /// <summary>A jute <c>vector&lt;ustring&gt;</c>; a null vector reads as empty.</summary>
    public List<string> ReadStringVector(string field)
    {
        // Each element takes at least 4 bytes, which bounds a hostile count before allocating.
        var count = ReadCount(field, minimumElementSize: 4);
        var items = new List<string>(Math.Max(count, 0));
        for (var i = 0; i < count; i++)
        {
            items.Add(ReadRequiredString(field));
        }

        return items;
    }

    /// <summary>Reads a vector count, checked against the bytes left for elements of at least the given size.</summary>
    public int ReadCount(string field, int minimumElementSize)
    {
        var count = ReadInt32();
        if (count < -1)
        {
            throw new JuteException($"vector '{field}' has a negative count {count}");
        }

        if (count > 0 && (long)count * minimumElementSize > Remaining)
        {
            throw new JuteException($"vector '{field}' claims {count} elements but only {Remaining} bytes remain");
        }

        return count;
    }

    private int ReadLength(string kind)
    {
        var length = ReadInt32();
        if (length < -1)
        {
            throw new JuteException($"{kind} has a negative length {length}");
        }

        if (length > Remaining)
        {
            throw new JuteException($"{kind} claims {length} bytes but only {Remaining} remain");
        }

        return length;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new JuteException($"record truncated: needed {count} bytes at offset {_position}, {Remaining} remain");
        }

        var slice = _buffer.Slice(_position, count);
        _position += count;
        return slice;
    }
}
