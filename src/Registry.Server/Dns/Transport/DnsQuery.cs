namespace Registry.Server.Dns.Transport;

/// <summary>
/// What <see cref="DnsQueryParser"/> read from a query: enough to key the answer cache, patch a cached answer, and
/// choose between the full and the truncated answer. Offsets are into the query as received.
/// </summary>
internal readonly record struct DnsQuery
{
    /// <summary>The offset of the question's name: right after the 12-byte header.</summary>
    public const int NameOffset = 12;

    /// <summary>Wire length of the question's name, the root label included (1 for the root); 0 when there is no readable question.</summary>
    public int NameLength { get; init; }

    /// <summary>The offset just after the first question (name, QTYPE, QCLASS); 0 when there is no readable question.</summary>
    public int QuestionEnd { get; init; }

    public ushort QType { get; init; }

    public ushort QClass { get; init; }

    /// <summary>True when the additional section holds an OPT record.</summary>
    public bool HasEdns { get; init; }

    /// <summary>The OPT record's DO bit (RFC 3225).</summary>
    public bool DnssecOk { get; init; }

    /// <summary>The OPT record's version (0 is the only one there is).</summary>
    public byte EdnsVersion { get; init; }

    /// <summary>The requestor's UDP payload size from the OPT record's CLASS field.</summary>
    public ushort PayloadSize { get; init; }

    /// <summary>True when the additional section holds a TSIG record (type 250).</summary>
    public bool Signed { get; init; }

    /// <summary>True when <see cref="NameLength"/> and the rest of the question are known.</summary>
    public bool HasQuestion => QuestionEnd > 0;

    /// <summary>
    /// The largest UDP answer the client takes (RFC 6891 §6.2.3–6.2.5): 512 without EDNS; with it the client's payload
    /// size, read as 512 when smaller, and never more than the <see cref="DnsResponder.PayloadSize"/> we advertise, whose
    /// point is to stay under the path MTU (avoiding IP fragmentation) whatever the client claims.
    /// </summary>
    public int UdpLimit => HasEdns ? Math.Clamp((int)PayloadSize, 512, DnsResponder.PayloadSize) : 512;
}
