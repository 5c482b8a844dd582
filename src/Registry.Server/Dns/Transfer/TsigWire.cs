using System.Buffers.Binary;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Where the TSIG record of a message starts, and its raw RDATA fields. The MAC covers the message's bytes as they
/// came (RFC 8945 §4.3.3), so verification needs offsets into them, which ARSoft's parsed message does not expose.
/// Every read is bounds-checked: the input is hostile.
/// </summary>
internal static class TsigWire
{
    private const int HeaderLength = 12;

    /// <summary>The raw TSIG fields after the algorithm name (RFC 8945 §4.2), as offsets into the message.</summary>
    /// <param name="RecordStart">Where the TSIG record (its owner name) starts: the MAC covers the bytes before it.</param>
    /// <param name="TimersStart">Time Signed (48 bits) and Fudge (16 bits), 8 bytes.</param>
    /// <param name="Mac">The MAC.</param>
    /// <param name="ErrorStart">Error (16), Other Len (16) and Other Data, up to <paramref name="End"/>.</param>
    /// <param name="End">The end of the RDATA.</param>
    public readonly record struct Fields(int RecordStart, int TimersStart, Range Mac, int ErrorStart, int End)
    {
        public ulong TimeSigned(ReadOnlySpan<byte> message) =>
            ((ulong)BinaryPrimitives.ReadUInt16BigEndian(message[TimersStart..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(message[(TimersStart + 2)..]);

        public ushort Fudge(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message[(TimersStart + 6)..]);
    }

    /// <summary>Finds the last record of the message (where a TSIG must be) and reads its fields; false when malformed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> message, out Fields fields)
    {
        fields = default;
        if (message.Length < HeaderLength)
        {
            return false;
        }

        var questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        var records = BinaryPrimitives.ReadUInt16BigEndian(message[6..]) + BinaryPrimitives.ReadUInt16BigEndian(message[8..]) + BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (records == 0)
        {
            return false;
        }

        var offset = HeaderLength;
        for (var i = 0; i < questions; i++)
        {
            if (!SkipName(message, ref offset) || (offset += 4) > message.Length)
            {
                return false;
            }
        }

        var start = offset;
        for (var i = 0; i < records; i++)
        {
            start = offset;
            if (!SkipName(message, ref offset) || offset + 10 > message.Length)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10 + length;
            if (offset > message.Length)
            {
                return false;
            }
        }

        // The TSIG's RDATA: algorithm name, then the fixed fields around the MAC.
        var rdata = start;
        SkipName(message, ref rdata);
        rdata += 10;
        var timers = rdata;
        if (!SkipName(message, ref timers) || timers + 10 > offset)
        {
            return false;
        }

        var macSize = BinaryPrimitives.ReadUInt16BigEndian(message[(timers + 8)..]);
        var macStart = timers + 10;
        var errorStart = macStart + macSize + 2;
        if (errorStart + 4 > offset)
        {
            return false;
        }

        fields = new Fields(start, timers, macStart..(macStart + macSize), errorStart, offset);
        return true;
    }

    /// <summary>Skips a possibly compressed name (a pointer ends it).</summary>
    private static bool SkipName(ReadOnlySpan<byte> message, ref int offset)
    {
        while (offset < message.Length)
        {
            var length = message[offset];
            if (length == 0)
            {
                offset++;
                return true;
            }

            if ((length & 0xC0) == 0xC0)
            {
                offset += 2;
                return offset <= message.Length;
            }

            if ((length & 0xC0) != 0)
            {
                return false; // extended label types (RFC 6891 §5) are not used
            }

            offset += 1 + length;
        }

        return false;
    }
}
