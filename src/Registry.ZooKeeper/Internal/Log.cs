using System.Net;
using Microsoft.Extensions.Logging;

namespace Registry.ZooKeeper.Internal;

/// <summary>The client's log lines, with fixed event ids so operators can alert on them.</summary>
internal static partial class Log
{
    [LoggerMessage(1001, LogLevel.Debug, "Connecting to ZooKeeper server {Server} ({Address})")]
    public static partial void Connecting(ILogger logger, string server, IPEndPoint address);

    [LoggerMessage(1002, LogLevel.Information, "Session 0x{SessionId:x} connected to {Address}: timeout {TimeoutMs} ms, read-only {ReadOnly}")]
    public static partial void Connected(ILogger logger, long sessionId, EndPoint address, int timeoutMs, bool readOnly);

    [LoggerMessage(1003, LogLevel.Warning, "Connection attempt to {Server} failed: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string server, string reason);

    [LoggerMessage(1004, LogLevel.Warning, "Session 0x{SessionId:x} lost its connection to {Address}: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, long sessionId, EndPoint address, string reason);

    [LoggerMessage(1005, LogLevel.Warning, "Session 0x{SessionId:x} expired")]
    public static partial void SessionExpired(ILogger logger, long sessionId);

    [LoggerMessage(1006, LogLevel.Error, "Session 0x{SessionId:x}: authentication failed")]
    public static partial void AuthFailed(ILogger logger, long sessionId);

    [LoggerMessage(1007, LogLevel.Information, "Session 0x{SessionId:x} closed")]
    public static partial void Closed(ILogger logger, long sessionId);

    [LoggerMessage(1008, LogLevel.Debug, "Session state {Previous} -> {Current}")]
    public static partial void StateChanged(ILogger logger, SessionState previous, SessionState current);

    [LoggerMessage(1009, LogLevel.Warning, "Watcher failed on {EventType} for {Path}")]
    public static partial void WatcherFailed(ILogger logger, WatchEventType eventType, string? path, Exception exception);

    [LoggerMessage(1010, LogLevel.Warning, "Re-arming watches after reconnect failed: {Reason}")]
    public static partial void PrimeFailed(ILogger logger, string reason);

    [LoggerMessage(1011, LogLevel.Warning, "Ignoring a notification for {Path}, outside the chroot")]
    public static partial void NotificationOutsideChroot(ILogger logger, string path);

    [LoggerMessage(1012, LogLevel.Debug, "Re-armed {Count} watches in {Chunks} setWatches2 request(s), relative to zxid 0x{Zxid:x}")]
    public static partial void WatchesRearmed(ILogger logger, int count, int chunks, long zxid);

    [LoggerMessage(1013, LogLevel.Information, "Found read-write server {Server}; leaving the read-only one")]
    public static partial void ReadWriteServerFound(ILogger logger, string server);
}
