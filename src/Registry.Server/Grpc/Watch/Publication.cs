using Registry.Core.View;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// One published view change as the hub computed it, once for every stream: the changes, and the unfiltered event
/// (streams without a filter send that very message).
/// </summary>
internal sealed class Publication
{
    public Publication(ViewSnapshot view, V1.ChangeCause cause, List<ServiceChange> changes)
    {
        View = view;
        Cause = cause;
        Changes = changes;
        var message = new V1.ChangeSet { Cause = cause };
        message.Changes.AddRange(changes.Select(c => c.Change));
        Event = new V1.WatchEvent { Revision = ProtoMapping.Revision(view.Revision), Stale = view.Stale, Changes = message };
    }

    /// <summary>The view after the change.</summary>
    public ViewSnapshot View { get; }

    public ViewRevision Revision => View.Revision;

    public bool Stale => View.Stale;

    public V1.ChangeCause Cause { get; }

    public IReadOnlyList<ServiceChange> Changes { get; }

    /// <summary>The event for a stream that watches everything.</summary>
    public V1.WatchEvent Event { get; }
}
