using System.Buffers.Binary;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// Error responses written from the raw query, for messages the parser or ARSoft cannot make a <c>DnsMessage</c> of
/// (FORMERR) and for signed queries nobody can check (NOTAUTH): the id, opcode and RD copied, the rcode, and the first
/// question when it was readable, so that the client can match the response to its query.
/// </summary>
internal static class DnsErrorResponse
{
    public const byte FormErr = 1;
    public const byte NotAuth = 9;

    public static byte[] Create(ReadOnlySpan<byte> message, in DnsQuery query, byte rcode)
    {
        var question = query.HasQuestion ? message[DnsQuery.NameOffset..query.QuestionEnd] : default;
        var response = new byte[DnsQueryParser.HeaderLength + question.Length];
        message[..2].CopyTo(response);
        response[2] = (byte)(0x80 | (message[2] & 0x79)); // QR, the opcode (0x78) and RD (0x01)
        response[3] = rcode;
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(4), (ushort)(question.IsEmpty ? 0 : 1));
        question.CopyTo(response.AsSpan(DnsQueryParser.HeaderLength));
        return response;
    }
}
