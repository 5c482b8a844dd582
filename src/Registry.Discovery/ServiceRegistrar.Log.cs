using Microsoft.Extensions.Logging;

namespace Registry.Discovery;

/// <summary>The registrar's log lines.</summary>
public sealed partial class ServiceRegistrar
{
    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "Registered {Path} on session 0x{SessionId:x}")]
        public static partial void Registered(ILogger logger, string path, long sessionId);

        [LoggerMessage(2002, LogLevel.Information, "Updated {Path}")]
        public static partial void Updated(ILogger logger, string path);

        [LoggerMessage(2003, LogLevel.Information, "Deregistered {Path}")]
        public static partial void Deregistered(ILogger logger, string path);

        [LoggerMessage(2004, LogLevel.Warning, "Deregistering {Path} failed ({Reason}); it goes when the session ends")]
        public static partial void DeregisterDeferred(ILogger logger, string path, string reason);

        [LoggerMessage(2005, LogLevel.Warning, "Writing {Path} failed ({Reason}); retrying")]
        public static partial void WriteRetry(ILogger logger, string path, string reason);

        [LoggerMessage(2006, LogLevel.Warning, "Replacing {Path} left by session 0x{OldSession:x} with session 0x{NewSession:x}")]
        public static partial void Replacing(ILogger logger, string path, long oldSession, long newSession);

        [LoggerMessage(2007, LogLevel.Warning, "Session 0x{SessionId:x} expired; registering {Count} instance(s) again on a new session")]
        public static partial void SessionExpired(ILogger logger, long sessionId, int count);

        [LoggerMessage(2008, LogLevel.Information, "Registered {Count} instance(s) again on session 0x{SessionId:x}")]
        public static partial void Reregistered(ILogger logger, int count, long sessionId);
    }
}
