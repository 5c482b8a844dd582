namespace Registry.Core.Names;

/// <summary>
/// A set of service names, as the server's write token file grants them: a service name (<c>web</c>), a prefix
/// (<c>pay-*</c>: every service whose name starts with <c>pay-</c>) or <c>*</c> (every service). Case-insensitive, as
/// service names compare. Only a trailing <c>*</c> is a wildcard: anything richer would make a grant hard to audit at
/// a glance.
/// </summary>
public readonly record struct ServicePattern
{
    private ServicePattern(string text, string prefix, bool isPrefix)
    {
        Text = text;
        Prefix = prefix;
        IsPrefix = isPrefix;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>The service name, or the prefix before the <c>*</c>.</summary>
    public string Prefix { get; }

    /// <summary>True for <c>prefix*</c>; false for an exact name.</summary>
    public bool IsPrefix { get; }

    /// <summary>Parses a pattern; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out ServicePattern pattern, out string? error)
    {
        pattern = default;
        var isPrefix = text.EndsWith('*');
        var prefix = isPrefix ? text[..^1] : text;
        if (prefix.Contains('*', StringComparison.Ordinal))
        {
            error = $"'{text}' is not a service name or name-prefix followed by one '*' (like web, pay-* or *)";
            return false;
        }

        if (!isPrefix)
        {
            error = DnsLabel.Check(text) is { } nameError ? $"'{text}' is not a service name: {nameError}" : null;
        }
        else
        {
            // A prefix is a valid label once something follows it: "pay-" passes, "-pay" and "p_y" do not.
            error = prefix.Length > 0 && DnsLabel.Check(prefix + "x") is { } prefixError
                ? $"'{text}': no service name starts with '{prefix}' ({prefixError})"
                : null;
        }

        if (error is not null)
        {
            return false;
        }

        pattern = new ServicePattern(text, prefix, isPrefix);
        return true;
    }

    /// <summary>Whether <paramref name="service"/> is one this pattern names.</summary>
    public bool Matches(ServiceName service) => IsPrefix
        ? service.Value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
        : service.Value.Equals(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => Text;
}
