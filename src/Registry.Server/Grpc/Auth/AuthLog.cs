using Microsoft.Extensions.Logging;

namespace Registry.Server.Grpc.Auth;

/// <summary>Log events of write authentication (4620–4629). No event ever carries a token; a token is named by its <see cref="WriteToken.Id"/>.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(4620, LogLevel.Information, "write tokens loaded ({Reason}) from {File}: {Count} token(s)")]
    public static partial void Loaded(ILogger logger, string reason, string file, int count);

    [LoggerMessage(4621, LogLevel.Error, "write token reload rejected ({Reason}): {Count} error(s); still using the tokens loaded at {LoadedAt:o}")]
    public static partial void Rejected(ILogger logger, string reason, int count, DateTimeOffset loadedAt);

    [LoggerMessage(4622, LogLevel.Error, "write token file error: {Error}")]
    public static partial void FileError(ILogger logger, string error);

    [LoggerMessage(4623, LogLevel.Warning, "gRPC writes are open: anyone reaching {Listen} may Register and Deregister any service; set --auth-tokens to require bearer tokens")]
    public static partial void WritesOpen(ILogger logger, string listen);

    [LoggerMessage(4624, LogLevel.Warning, "write refused (Unauthenticated): {Method} from {Peer}: {Reason} ({Suppressed} more refusal(s) not logged since the last)")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason, long suppressed);

    [LoggerMessage(4625, LogLevel.Warning, "write refused (PermissionDenied): {Method} of service {Service} from {Peer} with token {TokenId} (line {Line}) ({Suppressed} more refusal(s) not logged since the last)")]
    public static partial void PermissionDenied(ILogger logger, string method, string service, string peer, string tokenId, int line, long suppressed);

    [LoggerMessage(4626, LogLevel.Debug, "write authorized: {Method} of service {Service} from {Peer} with token {TokenId} (line {Line})")]
    public static partial void Authorized(ILogger logger, string method, string service, string peer, string tokenId, int line);
}
