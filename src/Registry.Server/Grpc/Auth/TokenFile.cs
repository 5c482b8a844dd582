using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Registry.Core.Names;

namespace Registry.Server.Grpc.Auth;

/// <summary>
/// Reads the token file (<c>--auth-tokens</c>). One token per line: <c>sha256:</c> and the 64 hex digits of the
/// token's SHA-256, then the services it may write, separated by commas and/or spaces:
/// <code>
/// # deploy bot
/// sha256:b51d8723e1c16a5d7c64888fdbb8b656e6e49e035eb4599ca03a622bef4e1dbb  web, api
/// sha256:50e48066b4ae6aa20c00710e64f1a3c1c2aab99ec8e892b7e5749bc188453d5d  pay-*   # every pay-… service
/// </code>
/// <c>#</c> starts a comment; blank lines are skipped. Only hashes are accepted, never the tokens themselves, so the
/// file can be read by whoever may read the server's configuration without giving them write access.
/// </summary>
internal static class TokenFile
{
    private const string Sha256Prefix = "sha256:";

    /// <summary>Reads and parses <paramref name="path"/>; null with <paramref name="errors"/> (each <c>file:line: message</c>) when anything is wrong.</summary>
    public static TokenSet? Load(string path, DateTimeOffset now, out IReadOnlyList<string> errors)
    {
        if (!TryRead(path, out var text, out var error))
        {
            errors = [error];
            return null;
        }

        return Parse(text, path, now, out errors);
    }

    /// <summary>The file's text; false with <paramref name="error"/> (<c>file: reason</c>) when it cannot be read.</summary>
    public static bool TryRead(string path, out string text, [NotNullWhen(false)] out string? error)
    {
        try
        {
            text = File.ReadAllText(path);
            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text = "";
            error = $"{path}: {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// Parses the file's <paramref name="text"/>; null with <paramref name="errors"/> when any line is wrong (a set
    /// is taken whole or not at all). No error repeats what the line holds before its services: it may be a token
    /// pasted where its hash belongs.
    /// </summary>
    public static TokenSet? Parse(string text, string file, DateTimeOffset now, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var tokens = new List<WriteToken>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var comment = line.IndexOf('#', StringComparison.Ordinal);
            var fields = (comment >= 0 ? line[..comment] : line).Split([' ', '\t', '\r', ','], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            var at = $"{file}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (ParseHash(fields[0]) is not { } hash)
            {
                problems.Add($"{at}: the line does not start with sha256: and the 64 hex digits of a token's SHA-256 (the file holds hashes, never tokens: make a line with 'registryctl token hash')");
                continue;
            }

            if (fields.Length == 1)
            {
                problems.Add($"{at}: no services: name the services the token may register after the hash (like web,api or pay-* or *)");
                continue;
            }

            var services = new List<ServicePattern>();
            foreach (var field in fields.Skip(1))
            {
                if (ServicePattern.TryParse(field, out var pattern, out var error))
                {
                    services.Add(pattern);
                }
                else
                {
                    problems.Add($"{at}: {error}");
                }
            }

            if (tokens.Find(t => t.Hash.AsSpan().SequenceEqual(hash)) is { } same)
            {
                problems.Add($"{at}: the same token as line {same.Line.ToString(CultureInfo.InvariantCulture)}; give it one line with all its services");
                continue;
            }

            tokens.Add(new WriteToken(hash, services, i + 1));
        }

        errors = problems;
        return problems.Count > 0 ? null : new TokenSet(file, tokens, now);
    }

    /// <summary>The 32 bytes of <c>sha256:</c> and 64 hex digits; null for anything else.</summary>
    private static byte[]? ParseHash(string field)
    {
        if (!field.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase) || field.Length != Sha256Prefix.Length + 64)
        {
            return null;
        }

        var hex = field.AsSpan(Sha256Prefix.Length);
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return null;
            }
        }

        return Convert.FromHexString(hex);
    }
}
