using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.Names;

namespace Registry.Core.Zones;

/// <summary>
/// Loads the zone files of a directory (RFC 1035 §5 master files) into a <see cref="ZoneSet"/>.
/// <list type="bullet">
/// <item>Every <c>*.zone</c> file directly in the directory is one zone (subdirectories are not searched, so files
/// that are only <c>$INCLUDE</c>d should live there or use another extension).</item>
/// <item>The zone's origin is the file's first <c>$ORIGIN</c> when it comes before any record or <c>$INCLUDE</c>;
/// otherwise the file name without <c>.zone</c> (<c>svc.example.zone</c> → <c>svc.example.</c>).</item>
/// <item>Directives: <c>$ORIGIN</c>, <c>$TTL</c> (with BIND units: <c>1h30m</c>), <c>$INCLUDE file [origin]</c>. An
/// include path is relative to the including file and must stay inside the zones directory; after it, the includer's
/// origin and current owner are restored (RFC 1035 §5.1), the default TTL is not.</item>
/// <item>Rules: exactly one SOA, at the origin; only class IN; every owner inside the zone; a TTL on every record, from
/// the record, <c>$TTL</c> or the previous record; SRV numbers in 0..65535; one file per origin.</item>
/// </list>
/// Records are parsed by ARSoft one at a time, so every record and every error carries its file and line.
/// </summary>
public static class ZoneLoader
{
    /// <summary>The extension that makes a file of the zones directory a zone.</summary>
    public const string Extension = ".zone";

    /// <summary>How deep <c>$INCLUDE</c>s may nest; zone files are input and are not trusted to be sane.</summary>
    public const int MaxIncludeDepth = 8;

    /// <summary>Loads every zone of <paramref name="zonesDirectory"/>.</summary>
    /// <param name="zonesDirectory">The zones directory; record sources are relative to it.</param>
    /// <returns>The zones, when every file loaded cleanly.</returns>
    /// <exception cref="ZoneLoadException">Any file has any problem; it lists them all, each with file and line.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="zonesDirectory"/> does not exist.</exception>
    public static ZoneSet Load(string zonesDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(zonesDirectory);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(zonesDirectory));
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"zones directory '{zonesDirectory}' does not exist");
        }

        var errors = new List<ZoneLoadError>();
        var zones = new List<ZoneIntent>();
        var files = Directory.EnumerateFiles(root, "*" + Extension, SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(Extension, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var zone = new ZoneFileLoader(root, errors).Load(file);
            if (zone is not null)
            {
                zones.Add(zone);
            }
        }

        var seen = new Dictionary<string, ZoneIntent>(StringComparer.OrdinalIgnoreCase);
        foreach (var zone in zones)
        {
            if (!seen.TryAdd(zone.Origin, zone))
            {
                errors.Add(new ZoneLoadError(
                    new RecordSource(zone.File, zone.Records[0].Source.Line),
                    $"zone {zone.Origin} is declared twice: in {seen[zone.Origin].File} and in {zone.File}"));
            }
        }

        if (errors.Count > 0)
        {
            throw new ZoneLoadException(errors);
        }

        return new ZoneSet(zones);
    }

    /// <summary>Parses a TTL: seconds, or BIND units (<c>1w2d3h4m5s</c>), within RFC 2181 §8's 0..2^31-1.</summary>
    internal static bool TryParseTtl(string text, out int ttl)
    {
        ttl = 0;
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]))
        {
            return false;
        }

        long total = 0;
        long number = 0;
        var digits = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                number = (number * 10) + (c - '0');
                digits++;
                if (number > int.MaxValue)
                {
                    return false;
                }

                continue;
            }

            var unit = char.ToUpperInvariant(c) switch
            {
                'S' => 1L,
                'M' => 60L,
                'H' => 3600L,
                'D' => 86400L,
                'W' => 604800L,
                _ => 0L,
            };
            if (unit == 0 || digits == 0)
            {
                return false;
            }

            total += number * unit;
            number = 0;
            digits = 0;
            if (total > int.MaxValue)
            {
                return false;
            }
        }

        total += number;
        if (total > int.MaxValue)
        {
            return false;
        }

        ttl = (int)total;
        return true;
    }
}
