namespace Registry.Core.Zones;

/// <summary>Where a declared record comes from (DESIGN §5 provenance): a zone file and line.</summary>
/// <param name="File">The zone file, relative to the zones directory.</param>
/// <param name="Line">The 1-based line of the record.</param>
public sealed record RecordSource(string File, int Line)
{
    /// <summary><c>file:line</c>.</summary>
    public override string ToString() => $"{File}:{Line}";
}
