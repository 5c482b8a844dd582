using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.Zones;
using Registry.Server.Configuration;
using Registry.Server.Hosting;

namespace Registry.Server.Views;

/// <summary>
/// Reloads the zone files when they change (a file watcher on the zones directory, subdirectories included for
/// <c>$INCLUDE</c>d files) and on SIGHUP: parse and validate everything, then swap. A reload with any error is
/// rejected as a whole, each error logged with its file and line, and the last good zones keep serving.
/// </summary>
internal sealed partial class ZoneReloader(LiveView view, ServerOptions options, ILogger<ZoneReloader> logger) : BackgroundService
{
    private readonly ReloadRequests _requests = new();

    /// <summary>Asks for a reload (as SIGHUP does); <paramref name="reason"/> goes to the log.</summary>
    public void RequestReload(string reason) => _requests.Request(reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _requests.WatchDirectory(options.Zones, includeSubdirectories: true);
        _requests.OnHangup();
        try
        {
            while (true)
            {
                Reload(await _requests.NextAsync(stoppingToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _requests.Dispose(); // the file watcher and the SIGHUP handler stop with the service
        }
    }

    private void Reload(string reason)
    {
        ZoneSet zones;
        try
        {
            zones = ZoneLoader.Load(options.Zones);
        }
        catch (ZoneLoadException e)
        {
            foreach (var error in e.Errors)
            {
                Log.ZoneError(logger, error.ToString());
            }

            view.RejectZones([.. e.Errors.Select(error => error.ToString())]);
            Log.Rejected(logger, reason, e.Errors.Count, view.ZoneStatus.LoadedAt);
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            view.RejectZones([$"{options.Zones}: {e.Message}"]);
            Log.Rejected(logger, reason, 1, view.ZoneStatus.LoadedAt);
            Log.ZoneError(logger, $"{options.Zones}: {e.Message}");
            return;
        }

        view.SetZones(zones);
        var current = view.Current;
        Log.Reloaded(logger, reason, string.Join(", ", current.Origins.Select(o => $"{o} serial {current.Serial(o)}")));
    }

    private static partial class Log
    {
        [LoggerMessage(4301, LogLevel.Information, "zones reloaded ({Reason}): {Zones}")]
        public static partial void Reloaded(ILogger logger, string reason, string zones);

        [LoggerMessage(4302, LogLevel.Error, "zone reload rejected ({Reason}): {Count} error(s); still serving the zones loaded at {LoadedAt:o}")]
        public static partial void Rejected(ILogger logger, string reason, int count, DateTimeOffset loadedAt);

        [LoggerMessage(4303, LogLevel.Error, "zone error: {Error}")]
        public static partial void ZoneError(ILogger logger, string error);
    }
}
