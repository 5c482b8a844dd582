using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.View;
using Registry.Discovery;
using Registry.Server.Configuration;
using Registry.ZooKeeper;

namespace Registry.Server.Views;

/// <summary>
/// Feeds ZooKeeper's registrations into the <see cref="LiveView"/>: first the persisted last good view (so a server
/// started during a ZooKeeper outage serves at once, marked stale), then whatever the <see cref="RegistrationWatcher"/>
/// publishes, with its stale flag; every fresh state is persisted for the next start.
/// </summary>
internal sealed partial class ViewService(
    LiveView view,
    ServerOptions options,
    ZooKeeperClientOptions clientOptions,
    ILogger<ViewService> logger) : BackgroundService
{
    private RegistrationWatcher? _watcher;

    /// <summary>Registrations skipped because their znode did not decode (a metric).</summary>
    public long SkippedRegistrations => _watcher?.SkippedRegistrations ?? 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RestorePersistedAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped while restoring: when another service failed to start (a taken port), the host cancels this at
            // once, and a cancelled ExecuteAsync would be reported as a crash beside the real reason.
            return;
        }

        var watcher = new RegistrationWatcher(clientOptions, new ZooKeeperLayout { BasePath = options.BasePath });
        await using (watcher.ConfigureAwait(false))
        {
            _watcher = watcher;
            var persister = new ViewPersister(options.ViewFile, logger);
            await using (persister.ConfigureAwait(false))
            {
                _ = StartWatcherAsync(watcher, stoppingToken);
                try
                {
                    await FollowAsync(watcher, persister, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    // Shutting down; the persister writes what is queued as it is disposed.
                }
            }
        }
    }

    private async Task FollowAsync(RegistrationWatcher watcher, ViewPersister persister, CancellationToken cancellationToken)
    {
        RegistrationState? applied = null;
        await foreach (var state in watcher.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!watcher.HasLoaded)
            {
                continue; // the persisted (or empty) view stands until ZooKeeper has been read once
            }

            var stale = watcher.IsStale;
            if (ReferenceEquals(state, applied))
            {
                view.SetStale(stale);
            }
            else
            {
                view.SetRegistrations(state, stale);
                applied = state;
                Log.Published(logger, view.Current.Revision.ToString(), view.Current.InstanceCount, stale);
            }

            if (!stale)
            {
                persister.Offer(state);
            }
        }
    }

    private async Task StartWatcherAsync(RegistrationWatcher watcher, CancellationToken cancellationToken)
    {
        try
        {
            await watcher.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is NoAuthException or AuthFailedException)
        {
            // Reachable but refused: the watcher has said why (events 2110, 2112) and keeps trying.
        }
        catch (Exception e) when (e is KeeperException or IOException or TimeoutException)
        {
            // The watcher keeps retrying on its own; say once that the view is not live yet.
            Log.ZooKeeperUnreachable(logger, clientOptions.ConnectString, e.Message);
        }
    }

    private async Task RestorePersistedAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await ViewStore.LoadAsync(options.ViewFile, cancellationToken).ConfigureAwait(false) is { } persisted)
            {
                view.SetRegistrations(persisted, stale: true);
                Log.Restored(logger, options.ViewFile, view.Current.InstanceCount, persisted.Zxid);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A damaged file must not stop the server: ZooKeeper will provide the view.
            Log.RestoreFailed(logger, options.ViewFile, e.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Information, "serving the persisted view from {Path} ({Instances} instances, zxid 0x{Zxid:x}), marked stale until ZooKeeper is read")]
        public static partial void Restored(ILogger logger, string path, int instances, long zxid);

        [LoggerMessage(4002, LogLevel.Warning, "could not read the persisted view {Path}: {Reason}; starting without it")]
        public static partial void RestoreFailed(ILogger logger, string path, string reason);

        [LoggerMessage(4003, LogLevel.Warning, "ZooKeeper {ConnectString} unreachable ({Reason}); serving the zone files and the persisted view, retrying")]
        public static partial void ZooKeeperUnreachable(ILogger logger, string connectString, string reason);

        [LoggerMessage(4004, LogLevel.Debug, "view published: revision {Revision}, {Instances} instances, stale {Stale}")]
        public static partial void Published(ILogger logger, string revision, int instances, bool stale);
    }
}
