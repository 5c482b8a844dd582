using Microsoft.Extensions.Logging;

namespace Registry.Discovery;

/// <summary>The watcher's log lines.</summary>
public sealed partial class RegistrationWatcher
{
    private static partial class Log
    {
        [LoggerMessage(2101, LogLevel.Information, "Loaded {Services} services, {Instances} instances (zxid 0x{Zxid:x})")]
        public static partial void Loaded(ILogger logger, int services, int instances, long zxid);

        [LoggerMessage(2102, LogLevel.Warning, "Skipping registration {Path}: {Reason}")]
        public static partial void Undecodable(ILogger logger, string path, string reason);

        [LoggerMessage(2103, LogLevel.Warning, "Skipping service node {Path}: the name is not a DNS label ({Reason})")]
        public static partial void InvalidServiceName(ILogger logger, string path, string reason);

        public static void StaleChanged(ILogger logger, bool stale)
        {
            if (stale)
            {
                TurnedStale(logger);
            }
            else
            {
                TurnedFresh(logger);
            }
        }

        [LoggerMessage(2104, LogLevel.Warning, "View stale: the ZooKeeper session is disconnected; the last state stays published")]
        private static partial void TurnedStale(ILogger logger);

        [LoggerMessage(2108, LogLevel.Information, "View fresh: read from ZooKeeper")]
        private static partial void TurnedFresh(ILogger logger);

        [LoggerMessage(2105, LogLevel.Warning, "Session 0x{SessionId:x} expired; reloading on a new session")]
        public static partial void SessionExpired(ILogger logger, long sessionId);

        [LoggerMessage(2106, LogLevel.Information, "Reading ZooKeeper was interrupted ({Reason}); reloading once connected")]
        public static partial void ReadInterrupted(ILogger logger, string reason);

        [LoggerMessage(2107, LogLevel.Error, "The watcher's loop failed; reloading")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(2109, LogLevel.Warning, "Skipping {Path}: ZooKeeper refuses this session READ on it (NoAuth; session credential: {Credential}); it stays out of the view until its ACL grants READ to that identity")]
        public static partial void Unreadable(ILogger logger, string path, string credential);

        [LoggerMessage(2110, LogLevel.Error, "Cannot read the base path {Path}: ZooKeeper refuses this session READ on it (NoAuth; session credential: {Credential}); no registration can be seen; retrying every {Seconds} s")]
        public static partial void BaseUnreadable(ILogger logger, string path, string credential, int seconds);

        [LoggerMessage(2111, LogLevel.Information, "{Path} is readable again; its registrations are back in the view")]
        public static partial void ReadableAgain(ILogger logger, string path);

        [LoggerMessage(2112, LogLevel.Error, "ZooKeeper rejected the session's credential {Credential} (AuthFailed: no provider for its scheme, or the provider refused it); retrying every {Seconds} s")]
        public static partial void CredentialRejected(ILogger logger, string credential, int seconds);
    }
}
