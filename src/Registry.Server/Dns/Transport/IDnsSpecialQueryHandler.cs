using System.Net;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// Answers the queries that are not a plain question for the responder: zone transfers (AXFR, IXFR) and TSIG-signed
/// queries, which need the peer's address (allow-list), key checks, and on TCP possibly several messages.
/// </summary>
/// <remarks>
/// The transport calls it for every query whose QTYPE is AXFR (252) or IXFR (251), or whose additional section holds a
/// TSIG record (type 250), before anything else looks at it; without a registered handler such queries get REFUSED
/// (transfers) or NOTAUTH (TSIG). The handler sends its own responses through <c>send</c>, each a complete DNS message
/// without the TCP length prefix (the transport frames them), in order; it may send none (a dropped query).
/// </remarks>
internal interface IDnsSpecialQueryHandler
{
    /// <summary>Answers <paramref name="query"/> from <paramref name="peer"/>.</summary>
    /// <param name="query">The query as received (without the TCP length prefix).</param>
    /// <param name="peer">Where it came from.</param>
    /// <param name="overTcp">True over TCP (any number of responses), false over UDP (at most one, within 512 bytes or the EDNS size).</param>
    /// <param name="send">Sends one response message; awaited before the next.</param>
    /// <param name="cancellationToken">Cancelled when the connection closes or the server stops.</param>
    ValueTask HandleAsync(ReadOnlyMemory<byte> query, IPEndPoint peer, bool overTcp, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken);
}
