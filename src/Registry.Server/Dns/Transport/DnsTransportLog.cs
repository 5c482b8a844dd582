using System.Net;
using Microsoft.Extensions.Logging;

namespace Registry.Server.Dns.Transport;

/// <summary>The DNS transport's log events, 4510–4529 (docs/operations.md lists them).</summary>
internal static partial class DnsTransportLog
{
    [LoggerMessage(4510, LogLevel.Information, "DNS facade listening on {Endpoints}: UDP with {Loops} receive loop(s) each, TCP with at most {MaxConnections} connections, idle timeout {IdleTimeout}")]
    public static partial void Listening(ILogger logger, string endpoints, int loops, int maxConnections, TimeSpan idleTimeout);

    [LoggerMessage(4511, LogLevel.Information, "DNS facade stopped: {Counters}")]
    public static partial void Stopped(ILogger logger, DnsTransportCounters counters);

    [LoggerMessage(4512, LogLevel.Warning, "DNS UDP receive loop on {Endpoint} caught an error and goes on ({Errors} errors so far; logged at most once a second)")]
    public static partial void UdpError(ILogger logger, Exception exception, EndPoint? endpoint, long errors);

    [LoggerMessage(4513, LogLevel.Warning, "DNS TCP connection from {Peer} failed and was closed ({Errors} errors so far; logged at most once a second)")]
    public static partial void TcpError(ILogger logger, Exception exception, EndPoint? peer, long errors);

    [LoggerMessage(4514, LogLevel.Warning, "DNS TCP connection limit ({MaxConnections}) reached: new connections are closed at once ({Refused} so far; logged at most once a second)")]
    public static partial void TcpLimit(ILogger logger, int maxConnections, long refused);

    [LoggerMessage(4515, LogLevel.Debug, "DNS TCP connection from {Peer} closed: {Reason}")]
    public static partial void TcpClosed(ILogger logger, EndPoint? peer, string reason);

    [LoggerMessage(4516, LogLevel.Warning, "the transfer/TSIG handler failed for a query from {Peer}")]
    public static partial void SpecialFailed(ILogger logger, Exception exception, EndPoint? peer);

    [LoggerMessage(4517, LogLevel.Information, "DNS answer cache for view revision {Revision} is full ({Capacity} answers): names not cached yet are answered uncached until the view changes")]
    public static partial void CacheFull(ILogger logger, string revision, int capacity);

    [LoggerMessage(4518, LogLevel.Warning, "DNS TCP accept on {Endpoint} failed; accepting goes on")]
    public static partial void AcceptError(ILogger logger, Exception exception, EndPoint? endpoint);
}
