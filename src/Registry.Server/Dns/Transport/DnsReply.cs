using System.Buffers.Binary;

namespace Registry.Server.Dns.Transport;

/// <summary>What the transport sends for one query: nothing, the special handler's answers, or bytes.</summary>
internal enum DnsReplyKind : byte
{
    None,
    Special,
    Bytes,
}

/// <summary>
/// The answer to one query before it is written: either complete bytes (slow path, FORMERR) or a cached template that
/// <see cref="WriteTo"/> patches with the query's id, RD and CD bits and question name, as the client spelled it.
/// </summary>
internal readonly struct DnsReply
{
    private readonly byte[]? _data;
    private readonly bool _template;

    private DnsReply(DnsReplyKind kind, byte[]? data, bool template)
    {
        Kind = kind;
        _data = data;
        _template = template;
    }

    public static DnsReply None => default;

    public static DnsReply Special => new(DnsReplyKind.Special, null, false);

    public DnsReplyKind Kind { get; }

    /// <summary>The reply's length in bytes (0 unless <see cref="Kind"/> is <see cref="DnsReplyKind.Bytes"/>).</summary>
    public int Length => _data?.Length ?? 0;

    public static DnsReply Complete(byte[] data) => new(DnsReplyKind.Bytes, data, false);

    public static DnsReply Template(byte[] data) => new(DnsReplyKind.Bytes, data, true);

    /// <summary>Writes the reply for <paramref name="message"/> into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public void WriteTo(Span<byte> destination, ReadOnlySpan<byte> message, in DnsQuery query)
    {
        var data = _data ?? throw new InvalidOperationException("no bytes to write");
        data.CopyTo(destination);
        if (!_template)
        {
            return;
        }

        // The id; RD and CD as the query has them (RFC 1035 §4.1.1, RFC 4035 §3.1.6); the question name in the client's
        // case (the template's name has the same length, and names compressed against it point at offset 12, so they
        // echo the client's case too, as the slow path's answers do).
        BinaryPrimitives.WriteUInt16BigEndian(destination, BinaryPrimitives.ReadUInt16BigEndian(message));
        destination[2] = (byte)((destination[2] & ~0x01) | (message[2] & 0x01));
        destination[3] = (byte)((destination[3] & ~0x10) | (message[3] & 0x10));
        message.Slice(DnsQuery.NameOffset, query.NameLength).CopyTo(destination[DnsQuery.NameOffset..]);
    }
}
