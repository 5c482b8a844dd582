using Registry.Core.View;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// Where a new stream starts: a snapshot of <see cref="View"/> (with <see cref="Reason"/>), or, when resuming within
/// the history, the publications it missed (<see cref="Backlog"/>, possibly none) after the view at <see cref="View"/>'s place.
/// </summary>
internal sealed record WatchStart(ViewSnapshot View, V1.SnapshotReason Reason, IReadOnlyList<Publication>? Backlog)
{
    public bool IsSnapshot => Backlog is null;
}
