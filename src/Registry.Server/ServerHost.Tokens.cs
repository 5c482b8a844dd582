using System.Net;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Grpc.Auth;

namespace Registry.Server;

/// <summary>The write tokens at start: a bad token file stops the start, as a bad zone file does.</summary>
internal static partial class ServerHost
{
    /// <summary>
    /// Loads <c>--auth-tokens</c> (<paramref name="tokens"/> stays null without it, and gRPC writes are open). A file
    /// with any error fails the start: there is no last good set to fall back on, and starting open would let anyone
    /// write what the operator meant to restrict.
    /// </summary>
    private static bool TryLoadTokens(ServerOptions options, ILogger logger, out TokenSet? tokens)
    {
        tokens = null;
        if (options.AuthTokens is not { } file)
        {
            if (options.GrpcListen.Where(u => !IsLoopback(u)).ToList() is { Count: > 0 } exposed)
            {
                AuthLog.WritesOpen(logger, string.Join(", ", exposed.Select(u => u.ToString().TrimEnd('/'))));
            }

            return true;
        }

        tokens = TokenFile.Load(file, DateTimeOffset.UtcNow, out var errors);
        if (tokens is null)
        {
            foreach (var error in errors)
            {
                AuthLog.FileError(logger, error);
            }

            Log.StartFailed(logger, $"the write token file {file} (--auth-tokens) has {errors.Count} error(s); fix them and start again");
            return false;
        }

        AuthLog.Loaded(logger, "start", file, tokens.Tokens.Count);
        return true;
    }

    /// <summary>Whether only this host can reach <paramref name="listen"/> (a name other than localhost may resolve anywhere).</summary>
    private static bool IsLoopback(Uri listen) =>
        string.Equals(listen.Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(listen.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));
}
