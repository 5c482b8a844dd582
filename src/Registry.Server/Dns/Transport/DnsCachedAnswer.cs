namespace Registry.Server.Dns.Transport;

/// <summary>
/// One pre-encoded answer: the full response as the slow path encodes it, and, when that is over 512 bytes (so some
/// client may not take it over UDP), its truncated form: TC set, the question and the OPT record, no records.
/// Both are templates: the id, RD/CD and the question name's case are patched per query.
/// </summary>
internal sealed record DnsCachedAnswer(byte[] Full, byte[]? Truncated)
{
    /// <summary>The form for a client that takes at most <paramref name="limit"/> bytes (at least 512).</summary>
    public byte[] For(int limit) => Full.Length <= limit || Truncated is null ? Full : Truncated;
}
