using ARSoft.Tools.Net;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// One pre-encoded answer: the full response as the slow path encodes it, and, when that is over 512 bytes (so some
/// client may not take it over UDP), its truncated form: TC set, the question and the OPT record, no records.
/// Both are templates: the id, RD/CD and the question name's case are patched per query.
/// </summary>
/// <param name="Full">The whole response.</param>
/// <param name="Truncated">Its truncated form, or null when the whole one fits in 512 bytes.</param>
/// <param name="Dependencies">
/// The names the answer depends on, for carrying it to the next index (see <see cref="DnsZoneIndex.ChangedNames"/>);
/// null when it cannot be carried (then it is made again for every index).
/// </param>
internal sealed record DnsCachedAnswer(byte[] Full, byte[]? Truncated, DnsAnswerDependencies? Dependencies = null)
{
    /// <summary>The form for a client that takes at most <paramref name="limit"/> bytes (at least 512).</summary>
    public byte[] For(int limit) => Full.Length <= limit || Truncated is null ? Full : Truncated;
}

/// <summary>
/// What an answer depends on, by <see cref="DnsZoneIndex.ChangedNames"/>'s contract: <paramref name="Encloser"/> names
/// (the question and the CNAME targets followed) count with their ancestors below the zone apex, <paramref name="Exact"/>
/// names (record owners, SRV/MX/NS targets) alone.
/// </summary>
/// <param name="Encloser">Names that count with their ancestors below the apex.</param>
/// <param name="Exact">Names that count alone.</param>
/// <param name="SerialOffset">
/// For a negative answer (no answer records, the SOA alone in authority): where the SOA's serial is in the encoded
/// answer, and the apex is not among <paramref name="Exact"/>. Every change moves the zone's serial, and so puts the
/// apex among the changed names; such an answer is carried with the new serial written in instead of made again. -1
/// for every other answer.
/// </param>
internal sealed record DnsAnswerDependencies(DomainName[] Encloser, DomainName[] Exact, int SerialOffset = -1)
{
    /// <summary>True when no name the answer depends on is in <paramref name="changed"/>.</summary>
    public bool Unchanged(IReadOnlySet<DomainName> changed, DnsZoneIndex index)
    {
        foreach (var name in Exact)
        {
            if (changed.Contains(name))
            {
                return false;
            }
        }

        foreach (var name in Encloser)
        {
            // Below the apex only: the apex is in the set whenever the zone's serial moved, which is every change.
            var apexLabels = index.FindZone(name)?.Origin.LabelCount ?? 0;
            for (var candidate = name; candidate.LabelCount > apexLabels; candidate = candidate.GetParentName())
            {
                if (changed.Contains(candidate))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
