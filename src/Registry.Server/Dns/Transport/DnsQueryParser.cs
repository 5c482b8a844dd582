using System.Buffers.Binary;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// Reads and classifies a received DNS message without allocating (issue 4 §3): the fast path needs only the header,
/// the question and the OPT record, and everything else must be recognised as not for it before the answer cache is
/// asked. Pure: bytes in, a <see cref="DnsQueryKind"/> and a <see cref="DnsQuery"/> out.
/// </summary>
/// <remarks>
/// Every record is walked, so that counts larger than the data, label types that do not exist, names over 255 octets,
/// trailing bytes and compression pointers that do not point strictly backwards (RFC 1035 §4.1.4: to a prior
/// occurrence; anything else is how compression loops are made) are FORMERR here, before ARSoft's parser ever sees
/// them.
/// </remarks>
internal static class DnsQueryParser
{
    public const int HeaderLength = 12;

    public const ushort TypeOpt = 41;
    public const ushort TypeTsig = 250;
    public const ushort TypeIxfr = 251;
    public const ushort TypeAxfr = 252;

    private const int MaxNameLength = 255;
    private const int MaxLabelLength = 63;
    private const int RecordFixedLength = 10; // TYPE, CLASS, TTL, RDLENGTH

    /// <summary>Classifies <paramref name="message"/> and reads what the transport needs of it.</summary>
    public static DnsQueryKind Parse(ReadOnlySpan<byte> message, out DnsQuery query)
    {
        query = default;
        if (message.Length < HeaderLength || (message[2] & 0x80) != 0)
        {
            return DnsQueryKind.Drop;
        }

        var opcode = (message[2] >> 3) & 0x0F;
        int questions = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int answers = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int authorities = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int additionals = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        var position = HeaderLength;
        var plain = false;

        if (questions > 0)
        {
            // The first question is read strictly: no compression (at offset 12 there is nothing before it to point at).
            if (!TryReadUncompressedName(message, ref position, out plain) || position + 4 > message.Length)
            {
                return DnsQueryKind.Malformed;
            }

            query = query with
            {
                NameLength = position - HeaderLength,
                QType = BinaryPrimitives.ReadUInt16BigEndian(message[position..]),
                QClass = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]),
                QuestionEnd = position + 4,
            };
            position += 4;
        }

        for (var i = 1; i < questions; i++)
        {
            if (!TrySkipName(message, ref position) || position + 4 > message.Length)
            {
                return DnsQueryKind.Malformed;
            }

            position += 4;
        }

        var records = answers + authorities + additionals;
        var opts = 0;
        for (var i = 0; i < records; i++)
        {
            var owner = position;
            if (!TrySkipName(message, ref position) || position + RecordFixedLength > message.Length)
            {
                return DnsQueryKind.Malformed;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(message[position..]);
            var dataLength = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 8)..]);
            var data = position + RecordFixedLength;
            if (data + dataLength > message.Length)
            {
                return DnsQueryKind.Malformed;
            }

            if (i >= answers + authorities)
            {
                if (type == TypeTsig)
                {
                    query = query with { Signed = true };
                }
                else if (type == TypeOpt)
                {
                    // RFC 6891 §6.1.2: the owner is the root; the options fill RDATA exactly.
                    if (message[owner] != 0 || !OptionsFit(message.Slice(data, dataLength)))
                    {
                        return DnsQueryKind.Malformed;
                    }

                    if (opts++ == 0)
                    {
                        query = query with
                        {
                            HasEdns = true,
                            PayloadSize = BinaryPrimitives.ReadUInt16BigEndian(message[(position + 2)..]),
                            EdnsVersion = message[position + 5],
                            DnssecOk = (message[position + 6] & 0x80) != 0,
                        };
                    }
                }
            }

            position = data + dataLength;
        }

        if (position != message.Length)
        {
            return DnsQueryKind.Malformed; // trailing bytes: BIND answers FORMERR too
        }

        if (query.Signed || (questions == 1 && query.QType is TypeAxfr or TypeIxfr))
        {
            return DnsQueryKind.Special;
        }

        var fast = opcode == 0 && questions == 1 && answers == 0 && authorities == 0 && plain
            && (additionals == 0 || (additionals == 1 && opts == 1 && query.EdnsVersion == 0));
        return fast ? DnsQueryKind.Fast : DnsQueryKind.Slow;
    }

    /// <summary>
    /// Reads an uncompressed name. <paramref name="plain"/> tells whether every label byte is a letter, digit, '-',
    /// '_' or '*': names with other bytes go the slow path, so that the cache never has to know how ARSoft renders them.
    /// </summary>
    private static bool TryReadUncompressedName(ReadOnlySpan<byte> message, ref int position, out bool plain)
    {
        plain = true;
        var start = position;
        while (position < message.Length)
        {
            int length = message[position];
            if (length == 0)
            {
                position++;
                return position - start <= MaxNameLength;
            }

            if (length > MaxLabelLength || position + 1 + length > message.Length)
            {
                return false; // a pointer, a label type that is not one (0x40, 0x80), or past the end
            }

            foreach (var b in message.Slice(position + 1, length))
            {
                plain &= b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                    or (byte)'-' or (byte)'_' or (byte)'*';
            }

            position += 1 + length;
            if (position - start > MaxNameLength)
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Skips a possibly compressed name, checking it as a whole: every pointer targets an offset after the header and
    /// below the previous jump (below the name's own start for the first), so that following them always ends; the
    /// expanded name is at most 255 octets.
    /// </summary>
    private static bool TrySkipName(ReadOnlySpan<byte> message, ref int position)
    {
        var cursor = position;
        var limit = position;
        var expanded = 0;
        var jumped = false;
        while (cursor < message.Length)
        {
            int length = message[cursor];
            if (length <= MaxLabelLength)
            {
                expanded += length + 1;
                if (expanded > MaxNameLength || cursor + 1 + length > message.Length)
                {
                    return false;
                }

                if (length == 0)
                {
                    if (!jumped)
                    {
                        position = cursor + 1;
                    }

                    return true;
                }

                cursor += 1 + length;
            }
            else if ((length & 0xC0) == 0xC0 && cursor + 1 < message.Length)
            {
                var target = ((length & 0x3F) << 8) | message[cursor + 1];
                if (target < HeaderLength || target >= limit)
                {
                    return false;
                }

                if (!jumped)
                {
                    position = cursor + 2;
                    jumped = true;
                }

                limit = target;
                cursor = target;
            }
            else
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>True when the OPT RDATA is a sequence of (code, length, data) options that ends exactly at its end.</summary>
    private static bool OptionsFit(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            if (position + 4 > data.Length)
            {
                return false;
            }

            position += 4 + BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
        }

        return position == data.Length;
    }
}
