namespace Registry.Core.Merge;

/// <summary>The knobs of the merge for one service.</summary>
public sealed record MergePolicy
{
    /// <summary>The default: accept undeclared instances, panic only when nothing live is left.</summary>
    public static MergePolicy Default { get; } = new();

    /// <summary>What to do with live instances the zone file does not declare.</summary>
    public UndeclaredPolicy Undeclared { get; init; } = UndeclaredPolicy.Accept;

    /// <summary>
    /// The panic floor of a hybrid service, as a share of its declared targets: when fewer live endpoints than
    /// <c>PanicThreshold × declared</c> would be served (and always when none would), the declared set is served
    /// instead and the service is flagged degraded. 0 (the default) panics only on zero live endpoints.
    /// </summary>
    public double PanicThreshold { get; init; }
}
