using System.Globalization;

namespace Registry.Core.View;

/// <summary>
/// The revision of a <see cref="ViewSnapshot"/> (DESIGN §6): a function of the snapshot's inputs only, so that every
/// registry server that sees the same ZooKeeper state and the same zone files gives the same revision.
/// </summary>
/// <remarks>
/// Ordering is lexicographic: <see cref="Zxid"/> first, then <see cref="ZoneSerials"/>, then <see cref="ZoneDigest"/>.
/// A later registration change always has a greater zxid, so it orders after; a zone reload with the same zxid orders
/// after when its SOA serials were bumped (their sum grows), which is what zone file authors must do anyway (RFC 1982
/// secondaries ignore a zone whose serial did not grow). The digest only makes the order total and tells apart two
/// zone contents with the same serials (an edit that forgot the bump): between such revisions the order is
/// deterministic but says nothing about which came first.
/// </remarks>
/// <param name="Zxid">The zxid of the registration state (<see cref="RegistrationState.Zxid"/>).</param>
/// <param name="ZoneSerials">The sum of every zone's declared SOA serial.</param>
/// <param name="ZoneDigest">A digest of every zone's content (origin, serial and records, in origin order).</param>
public readonly record struct ViewRevision(long Zxid, long ZoneSerials, uint ZoneDigest) : IComparable<ViewRevision>
{
    /// <summary>The revision of <see cref="ViewSnapshot.Empty"/>: lower than or equal to any other.</summary>
    public static ViewRevision Zero { get; }

    /// <inheritdoc/>
    public int CompareTo(ViewRevision other)
    {
        var byZxid = Zxid.CompareTo(other.Zxid);
        if (byZxid != 0)
        {
            return byZxid;
        }

        var bySerials = ZoneSerials.CompareTo(other.ZoneSerials);
        return bySerials != 0 ? bySerials : ZoneDigest.CompareTo(other.ZoneDigest);
    }

    /// <summary>The compact form, e.g. <c>zxid:0x1a2b/zones:4c4b4f8a.3f9c01d2</c> (hexadecimal), as APIs show it.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"zxid:0x{Zxid:x}/zones:{ZoneSerials:x}.{ZoneDigest:x8}");

    /// <summary>Parses the form <see cref="ToString"/> writes.</summary>
    /// <param name="text">The text to parse.</param>
    /// <param name="revision">The revision; <see cref="Zero"/> on failure.</param>
    /// <returns>True when <paramref name="text"/> is a revision.</returns>
    public static bool TryParse(string? text, out ViewRevision revision)
    {
        revision = Zero;
        const string ZxidPrefix = "zxid:0x";
        const string ZonesPrefix = "/zones:";
        if (text is null || !text.StartsWith(ZxidPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var zones = text.IndexOf(ZonesPrefix, StringComparison.Ordinal);
        var dot = text.LastIndexOf('.');
        if (zones < 0 || dot < zones)
        {
            return false;
        }

        var hex = NumberStyles.AllowHexSpecifier;
        if (!long.TryParse(text.AsSpan(ZxidPrefix.Length, zones - ZxidPrefix.Length), hex, CultureInfo.InvariantCulture, out var zxid)
            || !long.TryParse(text.AsSpan(zones + ZonesPrefix.Length, dot - zones - ZonesPrefix.Length), hex, CultureInfo.InvariantCulture, out var serials)
            || !uint.TryParse(text.AsSpan(dot + 1), hex, CultureInfo.InvariantCulture, out var digest))
        {
            return false;
        }

        revision = new ViewRevision(zxid, serials, digest);
        return true;
    }

    /// <summary>True when <paramref name="left"/> orders before <paramref name="right"/>.</summary>
    public static bool operator <(ViewRevision left, ViewRevision right) => left.CompareTo(right) < 0;

    /// <summary>True when <paramref name="left"/> orders before or equals <paramref name="right"/>.</summary>
    public static bool operator <=(ViewRevision left, ViewRevision right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="left"/> orders after <paramref name="right"/>.</summary>
    public static bool operator >(ViewRevision left, ViewRevision right) => left.CompareTo(right) > 0;

    /// <summary>True when <paramref name="left"/> orders after or equals <paramref name="right"/>.</summary>
    public static bool operator >=(ViewRevision left, ViewRevision right) => left.CompareTo(right) >= 0;
}
