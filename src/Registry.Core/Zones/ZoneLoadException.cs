namespace Registry.Core.Zones;

/// <summary>
/// Zone files could not be loaded. <see cref="Errors"/> lists every problem found (loading goes on past the first
/// one so a lint run shows them all); <see cref="Exception.Message"/> is one <c>file:line: message</c> per line.
/// </summary>
public sealed class ZoneLoadException : Exception
{
    /// <summary>Creates the exception from the problems found; there is at least one.</summary>
    /// <exception cref="ArgumentException"><paramref name="errors"/> is empty.</exception>
    public ZoneLoadException(IReadOnlyList<ZoneLoadError> errors)
        : base(FormatMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<ZoneLoadError> Errors { get; }

    /// <summary>Where the first problem is.</summary>
    public RecordSource RecordSource => Errors[0].Source;

    private static string FormatMessage(IReadOnlyList<ZoneLoadError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("a zone load error needs at least one problem", nameof(errors));
        }

        return string.Join('\n', errors.Select(e => e.ToString()));
    }
}
