using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Hosting;

namespace Registry.Server.Grpc.Auth;

/// <summary>
/// Re-reads the token file when it changes and on SIGHUP, as the zones are (<see cref="Views.ZoneReloader"/>): parse
/// and validate the whole file, then swap. A file with any error is rejected as a whole, each error logged with its
/// line, and the last good tokens stay in force, so a typo can neither lock every client out nor let anyone in.
/// </summary>
internal sealed class TokenReloader(WriteAuthorizer authorizer, ServerOptions options, TimeProvider time, ILogger<TokenReloader> logger) : BackgroundService
{
    private readonly ReloadRequests _requests = new();
    private string? _lastRead;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AuthTokens is not { } file)
        {
            return;
        }

        // The directory, not just the file: an editor replaces the file by a rename, and Kubernetes updates a mounted
        // secret by swapping a symlinked directory beside it, and neither event names the file. Other files' changes
        // cost a read; an unchanged file is not reloaded.
        _requests.WatchDirectory(Path.GetDirectoryName(file)!, includeSubdirectories: false);
        _requests.OnHangup();
        try
        {
            while (true)
            {
                var reason = await _requests.NextAsync(stoppingToken).ConfigureAwait(false);
                Reload(file, reason, force: reason == "SIGHUP");
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _requests.Dispose();
        }
    }

    private void Reload(string file, string reason, bool force)
    {
        IReadOnlyList<string> errors;
        TokenSet? tokens = null;
        if (!TokenFile.TryRead(file, out var text, out var readError))
        {
            errors = [readError];
        }
        else if (!force && text == _lastRead)
        {
            return;
        }
        else
        {
            tokens = TokenFile.Parse(text, file, time.GetUtcNow(), out errors);
        }

        _lastRead = readError is null ? text : null;
        if (tokens is null)
        {
            foreach (var error in errors)
            {
                AuthLog.FileError(logger, error);
            }

            AuthLog.Rejected(logger, reason, errors.Count, authorizer.Tokens!.LoadedAt);
            return;
        }

        authorizer.Use(tokens);
        AuthLog.Loaded(logger, reason, file, tokens.Tokens.Count);
    }
}
