using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Cuts a zone's records into the messages of an AXFR answer (RFC 5936 §2.2): the SOA first, every other record,
/// the SOA again last; the question in the first message only; each message below <see cref="MaxMessageSize"/>.
/// </summary>
internal static class ZoneTransferMessages
{
    /// <summary>
    /// The largest message made: 64 KiB (the TCP length prefix's limit) less room for the header, the question and a
    /// TSIG record with a SHA-512 MAC, which are not counted per record.
    /// </summary>
    public const int MaxMessageSize = ushort.MaxValue - 1024;

    /// <summary>The response messages, not yet encoded, in order.</summary>
    /// <param name="query">The transfer query (its id, opcode and question are echoed).</param>
    /// <param name="soa">The zone's SOA, with the published serial.</param>
    /// <param name="records">Every other record of the zone.</param>
    /// <param name="maxMessageSize">The size limit (smaller in tests, to see the splitting).</param>
    public static IEnumerable<DnsMessage> Build(DnsMessage query, SoaRecord soa, IEnumerable<DnsRecordBase> records, int maxMessageSize = MaxMessageSize)
    {
        var message = Start(query, first: true);
        var size = 0;
        foreach (var record in records.Prepend(soa).Append(soa))
        {
            // Each record's size alone, uncompressed against the others: an upper bound, since compression in a
            // shared message only makes it shorter. Transfers are rare, so encoding each record once is affordable.
            var recordSize = SizeOf(record);
            if (size + recordSize > maxMessageSize && message.AnswerRecords.Count > 0)
            {
                yield return message;
                message = Start(query, first: false);
                size = 0;
            }

            message.AnswerRecords.Add(record);
            size += recordSize;
        }

        yield return message;
    }

    /// <summary>A single-SOA answer: an IXFR client that is current (RFC 1995 §4), or one asked over UDP (§2) to retry over TCP.</summary>
    public static DnsMessage SingleSoa(DnsMessage query, SoaRecord soa)
    {
        var message = Start(query, first: true);
        message.AnswerRecords.Add(soa);
        return message;
    }

    private static DnsMessage Start(DnsMessage query, bool first)
    {
        var message = new DnsMessage
        {
            TransactionID = query.TransactionID,
            IsQuery = false,
            OperationCode = query.OperationCode,
            IsAuthoritiveAnswer = true,
            IsRecursionDesired = query.IsRecursionDesired,
        };
        if (first)
        {
            message.Questions.AddRange(query.Questions);
        }

        return message;
    }

    private static int SizeOf(DnsRecordBase record)
    {
        var alone = new DnsMessage();
        alone.AnswerRecords.Add(record);
        return ArsoftWire.Encode(alone).Count - 12;
    }
}
