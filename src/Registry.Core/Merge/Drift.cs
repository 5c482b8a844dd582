using Registry.Core.Instances;
using Registry.Core.Zones;

namespace Registry.Core.Merge;

/// <summary>Where intent and reality disagree for one service (DESIGN §5).</summary>
/// <param name="DeclaredNotRunning">Declared targets with no live registration (hybrid services only).</param>
/// <param name="RunningUndeclared">Live registrations the zone file does not declare (hybrid services only).</param>
public sealed record Drift(IReadOnlyList<DeclaredTarget> DeclaredNotRunning, IReadOnlyList<ServiceInstance> RunningUndeclared)
{
    /// <summary>No drift.</summary>
    public static Drift None { get; } = new([], []);

    /// <summary>True when intent and reality agree.</summary>
    public bool IsEmpty => DeclaredNotRunning.Count == 0 && RunningUndeclared.Count == 0;
}
