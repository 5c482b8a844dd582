using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Internal;

/// <summary>What a connection tells the session that owns it; called on the read loop, so implementations must not block.</summary>
internal interface IConnectionOwner
{
    /// <summary>A reply is about to complete <paramref name="request"/>: record its zxid and any watch it set.</summary>
    void OnReply(PendingRequest request, in ReplyHeader header);

    /// <summary>A watch notification arrived.</summary>
    void OnNotification(in ReplyHeader header, in WatcherEvent watcherEvent);
}
