using ARSoft.Tools.Net.Dns;
using Registry.Core.View;

namespace Registry.Server.Dns;

/// <summary>
/// The pure answer engine of the authoritative DNS facade (DESIGN §7, issue 4 §1): one parsed query and the current
/// view in, the response out, unencoded. The transport parses (FORMERR for bytes that do not parse), encodes, and
/// truncates to the client's payload size; everything about what the answer says is decided here.
/// </summary>
/// <remarks>
/// <para>
/// Answers come from the newest <see cref="DnsZoneIndex"/> that is ready, which queries share without locks; a query
/// that brings a newer snapshot has it indexed in the background (see <see cref="Serving"/>), so answers may trail the
/// view by one build.
/// </para>
/// <para>
/// Header: id, opcode, RD and CD are copied, QR set, RA clear (no recursion), AA set for names in a served zone. The
/// question is echoed as received (its case too; ARSoft compresses answer owners against it, so they come out in the
/// question's case, as BIND's do). ARSoft's compression is case-insensitive, so names inside RDATA that share a suffix
/// with a mixed-case question take its spelling too, where BIND keeps the zone file's (RFC 4343 §4.1 asks for case to
/// be preserved; the encoder's concern, noted in Peers/BindFidelityTests).
/// </para>
/// <para>
/// EDNS(0) (RFC 6891): a query with an OPT gets one back advertising a <see cref="PayloadSize"/>-byte payload, with the
/// DO bit copied (RFC 3225 §3 says the query's DO bit MUST be copied; no DNSSEC records are added, as the zones are not
/// signed); version other than 0 is BADVERS; a query with two OPT records is FORMERR; unknown options are ignored.
/// </para>
/// </remarks>
internal sealed partial class DnsResponder
{
    /// <summary>The UDP payload size we advertise: the DNS flag day 2020 value, which avoids IP fragmentation.</summary>
    public const ushort PayloadSize = 1232;

    private readonly DnsAnswerOptions _options;

    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The dynamic TTL is negative (RFC 2181 §8: 0..2^31-1).</exception>
    public DnsResponder(DnsAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.DynamicTtl, nameof(options));
        _options = options;
    }

    /// <summary>Answers one query against the view. Never throws for any query content.</summary>
    /// <param name="query">The parsed query.</param>
    /// <param name="view">
    /// The current snapshot. The answer is from the newest index that is ready, which may be of an earlier snapshot
    /// while this one is being indexed (see <see cref="Serving"/>); <see cref="IndexOf"/> first makes it exactly this one's.
    /// </param>
    /// <returns>The response, not encoded. SERVFAIL if answering failed unexpectedly.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public DnsMessage Respond(DnsMessage query, ViewSnapshot view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return Respond(query, () => Serving(view));
    }

    /// <summary>
    /// Answers one query from <paramref name="index"/> exactly: for callers that keep what they derive from an answer
    /// (the transport's answer cache) with the index it came from. Never throws for any query content.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    internal static DnsMessage RespondFrom(DnsMessage query, DnsZoneIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return Respond(query, () => index);
    }

    private static DnsMessage Respond(DnsMessage query, Func<DnsZoneIndex> index)
    {
        ArgumentNullException.ThrowIfNull(query);
        try
        {
            var response = Header(query);
            Answer(query, index, response);
            return response;
        }
#pragma warning disable CA1031 // STYLE 11: whatever went wrong, the client gets SERVFAIL rather than silence.
        catch (Exception)
#pragma warning restore CA1031
        {
            // Only the id: whatever failed may have been in the question or the OPT record.
            return new DnsMessage { TransactionID = query.TransactionID, IsQuery = false, ReturnCode = ReturnCode.ServerFailure };
        }
    }

    /// <summary>
    /// The response header: id, opcode, RD, CD, the question when there is exactly one, and the OPT record when the
    /// query has one. Built to not throw: only copies fields of an already parsed message.
    /// </summary>
    private static DnsMessage Header(DnsMessage query)
    {
        var response = new DnsMessage
        {
            TransactionID = query.TransactionID,
            IsQuery = false,
            OperationCode = query.OperationCode,
            IsRecursionDesired = query.IsRecursionDesired,
            IsCheckingDisabled = query.IsCheckingDisabled,
            IsRecursionAllowed = false,
        };
        if (query.Questions.Count == 1)
        {
            response.Questions.Add(query.Questions[0]);
        }

        if (query.EDnsOptions is { } opt)
        {
            // Set before any return code: ARSoft keeps the upper bits of an extended code (BADVERS) in the OPT record.
            response.EDnsOptions = new OptRecord(PayloadSize) { IsDnsSecOk = opt.IsDnsSecOk };
        }

        return response;
    }
}
