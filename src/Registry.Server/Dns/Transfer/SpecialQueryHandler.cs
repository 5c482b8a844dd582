using System.Buffers.Binary;
using System.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Dns.Transport;
using Registry.Server.Dns.Wire;
using Registry.Server.Views;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// What the transport hands over: zone transfers (AXFR, IXFR) and TSIG-signed queries. TSIG is checked first (RFC 8945
/// §5.2); a failed check is answered NOTAUTH with the TSIG error and nothing else. Transfers then need an allowed peer
/// (<see cref="TransferAccess"/>); a signed plain query is answered by <see cref="DnsResponder"/> and the answer signed.
/// </summary>
/// <remarks>
/// Every transfer is made from the one snapshot current when the query arrived, so its records and its SOA serial
/// agree even while the view changes under it.
/// </remarks>
internal sealed partial class SpecialQueryHandler : IDnsSpecialQueryHandler
{
    private const int HeaderLength = 12;
    private const int UdpPayload = 512;

    private readonly LiveView _view;
    private readonly DnsResponder _responder;
    private readonly TransferAccess _access;
    private readonly TsigVerifier _verifier;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public SpecialQueryHandler(LiveView view, DnsResponder responder, ServerOptions options, TimeProvider timeProvider, ILogger<SpecialQueryHandler> logger)
    {
        _view = view;
        _responder = responder;
        _access = options.TransferAllow;
        _verifier = new TsigVerifier(options.TsigKeys, timeProvider);
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The largest message of a transfer; lowered by tests to see the splitting.</summary>
    internal int MaxMessageSize { get; init; } = ZoneTransferMessages.MaxMessageSize;

    public async ValueTask HandleAsync(ReadOnlyMemory<byte> query, IPEndPoint peer, bool overTcp, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(send);
        DnsMessage message;
        try
        {
            message = DnsMessage.Parse(query.ToArray());
        }
#pragma warning disable CA1031 // hostile input: whatever ARSoft throws on it is a malformed query
        catch (Exception)
#pragma warning restore CA1031
        {
            if (query.Length >= HeaderLength && (query.Span[2] & 0x80) == 0)
            {
                await send(FormatError(query.Span), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (!message.IsQuery)
        {
            return; // a response is never answered: that invites loops
        }

        TsigSigner? signer = null;
        TsigKey? key = null;
        if (message.TSigOptions is { } tsig)
        {
            var result = _verifier.Verify(query.Span, tsig);
            if (result.Error != ReturnCode.NoError)
            {
                TransferLog.TsigRejected(_logger, peer.ToString(), result.Error.ToString(), tsig.Name.ToString());
                await send(TsigFailure(message, tsig, result), cancellationToken).ConfigureAwait(false);
                return;
            }

            key = result.Key;
            signer = new TsigSigner(key!, result.Mac, _timeProvider);
        }

        var view = _view.Current;
        var question = message.Questions.Count == 1 ? message.Questions[0] : null;
        if (question is { RecordType: RecordType.Axfr or RecordType.Ixfr } && message.OperationCode == OperationCode.Query)
        {
            await TransferAsync(message, question, view, peer, key, overTcp, signer, send, cancellationToken).ConfigureAwait(false);
            return;
        }

        var response = _responder.Respond(message, view);
        await send(Encode(response, signer, overTcp ? ushort.MaxValue : PayloadOf(message)), cancellationToken).ConfigureAwait(false);
        TransferLog.SignedAnswered(_logger, peer.ToString(), key?.ToString() ?? "none");
    }

    /// <summary>Encodes a response, signed when the request was, truncated (TC, no records) when over <paramref name="limit"/>.</summary>
    private static ArraySegment<byte> Encode(DnsMessage response, TsigSigner? signer, int limit)
    {
        var data = signer is null ? ArsoftWire.Encode(response) : signer.Sign(response);
        if (data.Count <= limit)
        {
            return data;
        }

        // The client retries over TCP (RFC 2181 §9); a signed truncated answer is still signed (RFC 8945 §5.3.1).
        response.IsTruncated = true;
        response.AnswerRecords.Clear();
        response.AuthorityRecords.Clear();
        response.AdditionalRecords.RemoveAll(r => r is not OptRecord);
        return signer is null ? ArsoftWire.Encode(response) : signer.Sign(response);
    }

    private ArraySegment<byte> TsigFailure(DnsMessage query, TSigRecord tsig, TsigVerifier.Verdict verdict)
    {
        var response = Reply(query, ReturnCode.NotAuthoritive);
        if (verdict.Error == ReturnCode.BadTime)
        {
            // RFC 8945 §5.2.3: signed, with the request's Time Signed and our time in Other Data.
            return new TsigSigner(verdict.Key!, verdict.Mac, _timeProvider).Sign(response, ReturnCode.BadTime, tsig.TimeSigned);
        }

        return verdict.Error == ReturnCode.FormatError
            ? ArsoftWire.Encode(Reply(query, ReturnCode.FormatError))
            : TsigSigner.Unsigned(response, tsig, verdict.Error);
    }

    /// <summary>A response header with the query's id, opcode and question, and <paramref name="code"/>.</summary>
    private static DnsMessage Reply(DnsMessage query, ReturnCode code)
    {
        var response = new DnsMessage
        {
            TransactionID = query.TransactionID,
            IsQuery = false,
            OperationCode = query.OperationCode,
            IsRecursionDesired = query.IsRecursionDesired,
            ReturnCode = code,
        };
        response.Questions.AddRange(query.Questions);
        return response;
    }

    /// <summary>FORMERR for bytes that did not parse: the header alone, with the id and opcode they carry.</summary>
    private static byte[] FormatError(ReadOnlySpan<byte> query)
    {
        var header = new byte[HeaderLength];
        query[..4].CopyTo(header);
        header[2] = (byte)((query[2] & 0x78) | 0x80); // QR, the opcode kept
        header[3] = (byte)ReturnCode.FormatError;
        return header;
    }

    private static int PayloadOf(DnsMessage query) =>
        query.EDnsOptions is { } opt ? Math.Max(UdpPayload, Math.Min((int)opt.UdpPayloadSize, DnsResponder.PayloadSize)) : UdpPayload;

    /// <summary>The id of a message, for replies made from bytes alone.</summary>
    internal static ushort IdOf(ReadOnlySpan<byte> message) => BinaryPrimitives.ReadUInt16BigEndian(message);
}
