using System.Buffers.Binary;
using System.Text;

namespace Registry.Server.Tests.Dns;

/// <summary>Queries as bytes, built by hand so that tests control every octet (case, counts, OPT fields, garbage).</summary>
internal static class RawQuery
{
    public const ushort A = 1;
    public const ushort Srv = 33;
    public const ushort Txt = 16;
    public const ushort Aaaa = 28;

    /// <summary>One question, optionally an OPT record (EDNS).</summary>
    public static byte[] Build(string name, ushort type, ushort recordClass = 1, ushort id = 0x1234, bool rd = false, bool cd = false, int opcode = 0, Edns? edns = null)
    {
        var message = new List<byte>();
        message.AddRange(Header(id, (byte)((opcode << 3) | (rd ? 1 : 0)), (byte)(cd ? 0x10 : 0), 1, 0, 0, edns is null ? (ushort)0 : (ushort)1));
        message.AddRange(Question(name, type, recordClass));
        if (edns is not null)
        {
            message.AddRange(Opt(edns));
        }

        return [.. message];
    }

    public static byte[] Header(ushort id, byte flags2, byte flags3, ushort questions, ushort answers, ushort authorities, ushort additionals)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        header[2] = flags2;
        header[3] = flags3;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), questions);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), answers);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), authorities);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), additionals);
        return header;
    }

    /// <summary>The wire form of a name, labels as given (case kept); "." is the root.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var text = Encoding.ASCII.GetBytes(label);
            bytes.Add((byte)text.Length);
            bytes.AddRange(text);
        }

        bytes.Add(0);
        return [.. bytes];
    }

    public static byte[] Question(string name, ushort type, ushort recordClass = 1) => [.. Name(name), .. U16(type), .. U16(recordClass)];

    public static byte[] Opt(Edns edns)
    {
        var options = edns.Options ?? [];
        return [0, .. U16(41), .. U16(edns.PayloadSize), 0, edns.Version, (byte)(edns.DnssecOk ? 0x80 : 0), 0, .. U16((ushort)options.Length), .. options];
    }

    /// <summary>A TCP frame: the 2-byte length, then the message.</summary>
    public static byte[] Frame(byte[] message) => [.. U16((ushort)message.Length), .. message];

    public static byte[] U16(ushort value) => [(byte)(value >> 8), (byte)value];

    internal sealed record Edns(ushort PayloadSize = 1232, bool DnssecOk = false, byte Version = 0, byte[]? Options = null);
}
