using Registry.Core.View;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// One published view change as the hub computed it, once for every stream: the changes, and the unfiltered event
/// (streams without a filter send that very message). It keeps the revision and stale flag of the view it leads to,
/// never the view itself: the history holds many publications, and a snapshot costs O(services).
/// </summary>
internal sealed class Publication
{
    public Publication(ViewSnapshot view, V1.ChangeCause cause, List<ServiceChange> changes)
    {
        Revision = view.Revision;
        Stale = view.Stale;
        Cause = cause;
        Changes = changes;
        var message = new V1.ChangeSet { Cause = cause };
        message.Changes.AddRange(changes.Select(c => c.Change));
        Event = new V1.WatchEvent { Revision = ProtoMapping.Revision(view.Revision), Stale = view.Stale, Changes = message };
    }

    /// <summary>The revision of the view after the change.</summary>
    public ViewRevision Revision { get; }

    /// <summary>The stale flag of the view after the change.</summary>
    public bool Stale { get; }

    public V1.ChangeCause Cause { get; }

    public IReadOnlyList<ServiceChange> Changes { get; }

    /// <summary>The event for a stream that watches everything.</summary>
    public V1.WatchEvent Event { get; }
}
