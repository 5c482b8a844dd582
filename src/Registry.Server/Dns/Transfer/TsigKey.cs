using System.Diagnostics.CodeAnalysis;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// A TSIG shared secret (RFC 8945): its name, HMAC algorithm and secret, as <c>--dns-tsig-key</c> gives it
/// (<c>name:algorithm:base64secret</c>, the three parts of a BIND <c>key</c> statement).
/// </summary>
internal sealed class TsigKey
{
    /// <summary>The algorithms accepted, by their BIND names (which are also their RFC 8945 §6 names without the trailing dot).</summary>
    public static IReadOnlyDictionary<string, TSigAlgorithm> Algorithms { get; } = new Dictionary<string, TSigAlgorithm>(StringComparer.OrdinalIgnoreCase)
    {
        ["hmac-sha1"] = TSigAlgorithm.Sha1,
        ["hmac-sha256"] = TSigAlgorithm.Sha256,
        ["hmac-sha384"] = TSigAlgorithm.Sha384,
        ["hmac-sha512"] = TSigAlgorithm.Sha512,
    };

    public TsigKey(DomainName name, TSigAlgorithm algorithm, byte[] secret)
    {
        Name = name;
        Algorithm = algorithm;
        Secret = secret;
    }

    /// <summary>The key's name, which is also the owner name of the TSIG record.</summary>
    public DomainName Name { get; }

    public TSigAlgorithm Algorithm { get; }

    /// <summary>The shared secret. Never logged: <see cref="ToString"/> leaves it out.</summary>
    public byte[] Secret { get; }

    /// <summary>The key's name and algorithm, never its secret.</summary>
    public override string ToString() => $"{Name} ({Algorithm})";

    /// <summary>Parses <c>name:algorithm:base64secret</c>; the error says what is wrong without repeating the secret.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out TsigKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        var parts = text.Split(':', StringSplitOptions.TrimEntries);
        if (parts.Length != 3 || parts[0].Length == 0)
        {
            error = $"'{(parts.Length > 0 ? parts[0] : "")}:…' is not name:algorithm:base64secret";
            return false;
        }

        if (!DomainName.TryParse(parts[0], out var name) || name!.LabelCount == 0)
        {
            error = $"key name '{parts[0]}' is not a domain name";
            return false;
        }

        if (!Algorithms.TryGetValue(parts[1], out var algorithm))
        {
            error = $"key {parts[0]}: algorithm '{parts[1]}' is not one of {string.Join(", ", Algorithms.Keys)}";
            return false;
        }

        var secret = new byte[parts[2].Length];
        if (!Convert.TryFromBase64String(parts[2], secret, out var length) || length == 0)
        {
            error = $"key {parts[0]}: the secret is not base64 (as tsig-keygen prints it)";
            return false;
        }

        key = new TsigKey(name, algorithm, secret[..length]);
        error = null;
        return true;
    }
}
