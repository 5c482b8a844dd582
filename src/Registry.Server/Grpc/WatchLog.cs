using Microsoft.Extensions.Logging;

namespace Registry.Server.Grpc;

/// <summary>Log events of Watch streams (4601–4609; the hub's own is 4600).</summary>
internal static partial class WatchLog
{
    [LoggerMessage(4601, LogLevel.Debug, "watch: stream from {Peer} started (services {Services}): {Start}")]
    public static partial void Started(ILogger logger, string peer, string services, string start);

    [LoggerMessage(4602, LogLevel.Warning, "watch: stream from {Peer} fell behind ({Buffer} publications waiting): the changes in between are dropped and a fresh snapshot sent")]
    public static partial void FellBehind(ILogger logger, string peer, int buffer);

    [LoggerMessage(4603, LogLevel.Debug, "watch: stream from {Peer} ended")]
    public static partial void Ended(ILogger logger, string peer);
}
