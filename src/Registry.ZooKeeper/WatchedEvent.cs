namespace Registry.ZooKeeper;

/// <summary>A watch notification, or a session state change when <see cref="Type"/> is <see cref="WatchEventType.None"/>.</summary>
/// <param name="Type">What happened.</param>
/// <param name="State">The session's state when the event was delivered.</param>
/// <param name="Path">The node concerned (relative to the chroot), or null for session events.</param>
/// <param name="Zxid">The zxid of the change that triggered the event, or -1 when the server did not send one.</param>
public sealed record WatchedEvent(WatchEventType Type, SessionState State, string? Path, long Zxid = -1);
