namespace Registry.Core.Zones;

/// <summary>One problem found while loading zone files.</summary>
/// <param name="Source">The file and line at fault (line 0 when the problem concerns the whole file).</param>
/// <param name="Message">What is wrong, for a human.</param>
public sealed record ZoneLoadError(RecordSource Source, string Message)
{
    /// <summary><c>file:line: message</c>, the form compilers and editors recognise.</summary>
    public override string ToString() => $"{Source}: {Message}";
}
