using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.Zones;
using Registry.Server.Configuration;

namespace Registry.Server.Views;

/// <summary>
/// Reloads the zone files when they change (a file watcher on the zones directory, subdirectories included for
/// <c>$INCLUDE</c>d files) and on SIGHUP: parse and validate everything, then swap. A reload with any error is
/// rejected as a whole, each error logged with its file and line, and the last good zones keep serving.
/// </summary>
internal sealed partial class ZoneReloader(LiveView view, ServerOptions options, ILogger<ZoneReloader> logger) : BackgroundService
{
    /// <summary>How long the directory must be quiet before a reload: editors and git write a change in several steps.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Asks for a reload (as SIGHUP does); <paramref name="reason"/> goes to the log.</summary>
    public void RequestReload(string reason) => _requests.Writer.TryWrite(reason);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var files = new FileSystemWatcher(options.Zones)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        FileSystemEventHandler changed = (_, e) => RequestReload($"{e.ChangeType.ToString().ToLowerInvariant()} {e.FullPath}");
        files.Changed += changed;
        files.Created += changed;
        files.Deleted += changed;
        files.Renamed += (_, e) => RequestReload($"renamed {e.OldFullPath} to {e.FullPath}");
        files.Error += (_, e) => RequestReload($"file watcher error ({e.GetException().Message})");
        files.EnableRaisingEvents = true;

        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload here, not terminate
            RequestReload("SIGHUP");
        });

        try
        {
            while (true)
            {
                var reason = await _requests.Reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                while (await WaitForMoreAsync(stoppingToken).ConfigureAwait(false))
                {
                    while (_requests.Reader.TryRead(out _))
                    {
                    }
                }

                Reload(reason);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when another request arrives within <see cref="Settle"/>.</summary>
    private async Task<bool> WaitForMoreAsync(CancellationToken cancellationToken)
    {
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(Settle);
        try
        {
            return await _requests.Reader.WaitToReadAsync(settle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
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
