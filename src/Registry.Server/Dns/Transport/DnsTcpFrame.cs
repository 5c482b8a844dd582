using System.Buffers;
using System.Buffers.Binary;

namespace Registry.Server.Dns.Transport;

/// <summary>One response on its way to a TCP client: the 2-byte length prefix and the message, in a pooled buffer.</summary>
internal readonly record struct DnsTcpFrame(byte[] Buffer, int Length)
{
    /// <summary>A pooled frame for a message of <paramref name="messageLength"/> bytes, its prefix written.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The message is longer than a TCP frame can say (65,535 bytes).</exception>
    public static DnsTcpFrame Rent(int messageLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(messageLength, DnsQueryProcessor.MaxMessageLength);
        var buffer = ArrayPool<byte>.Shared.Rent(messageLength + 2);
        BinaryPrimitives.WriteUInt16BigEndian(buffer, (ushort)messageLength);
        return new DnsTcpFrame(buffer, messageLength + 2);
    }

    /// <summary>Where the message goes.</summary>
    public Span<byte> Message => Buffer.AsSpan(2, Length - 2);

    public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, Length);

    public void Return() => ArrayPool<byte>.Shared.Return(Buffer);
}
