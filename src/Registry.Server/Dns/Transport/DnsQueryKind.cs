namespace Registry.Server.Dns.Transport;

/// <summary>What the transport does with a received message, as <see cref="DnsQueryParser"/> classifies it.</summary>
internal enum DnsQueryKind : byte
{
    /// <summary>No answer at all: shorter than a header, or a response (QR set). Answering responses invites reflection loops.</summary>
    Drop,

    /// <summary>The header is readable but the rest is not a well-formed message: FORMERR, without parsing further.</summary>
    Malformed,

    /// <summary>A plain QUERY with one uncompressed question and at most a valid EDNS(0) OPT: the answer cache serves it.</summary>
    Fast,

    /// <summary>A zone transfer (AXFR, IXFR) or a TSIG-signed message: <see cref="IDnsSpecialQueryHandler"/> answers it.</summary>
    Special,

    /// <summary>Well-formed but not plain (another opcode, EDNS version, QDCOUNT, odd name bytes): ARSoft parses, the responder answers.</summary>
    Slow,
}
