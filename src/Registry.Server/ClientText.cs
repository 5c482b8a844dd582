namespace Registry.Server;

/// <summary>
/// Client input quoted back in an error: cut to a readable length, so that a 60,000-character name is refused with a
/// short message rather than echoed whole into the status (and into logs that print it).
/// </summary>
internal static class ClientText
{
    private const int MaxQuoted = 80;

    /// <summary>The value in quotes; longer values are cut, with their full length said.</summary>
    public static string Quote(string? value) =>
        value is null ? "''"
        : value.Length <= MaxQuoted ? $"'{value}'"
        : $"'{value[..MaxQuoted]}…' ({value.Length:N0} characters)";
}
