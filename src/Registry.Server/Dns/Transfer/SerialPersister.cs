using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Views;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Keeps <c>serials.json</c> current: follows the <see cref="LiveView"/> and writes the published serials whenever
/// they change, at most once per <see cref="MinInterval"/> (a burst of changes costs one write), and once more at
/// shutdown.
/// </summary>
/// <remarks>
/// A crash can lose the last <see cref="MinInterval"/> of changes, so a restart starts every zone
/// <see cref="CrashMargin"/> above what was saved: a secondary that transferred a serial published in that window still
/// sees the restarted server's serials as newer (RFC 1982 allows any step below 2^31).
/// </remarks>
internal sealed class SerialPersister(LiveView view, ServerOptions options, TimeProvider timeProvider, ILogger<SerialPersister> logger) : BackgroundService
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How far above the saved serial a restart starts: more publications than <see cref="MinInterval"/> can hold (the
    /// view publishes a few hundred times a second at most under heavy churn), and a negligible step out of 2^31.
    /// </summary>
    public const uint CrashMargin = 1000;

    private Dictionary<string, uint>? _written;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = view.Current;
        try
        {
            while (true)
            {
                await SaveAsync(seen, CancellationToken.None).ConfigureAwait(false);
                await view.ChangedAsync(seen, stoppingToken).ConfigureAwait(false);
                await Task.Delay(MinInterval, timeProvider, stoppingToken).ConfigureAwait(false);
                seen = view.Current;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await SaveAsync(view.Current, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task SaveAsync(Registry.Core.View.ViewSnapshot snapshot, CancellationToken cancellationToken)
    {
        var serials = snapshot.Origins.ToDictionary(o => o, snapshot.Serial, StringComparer.OrdinalIgnoreCase);
        if (_written is not null && _written.Count == serials.Count && !serials.Except(_written).Any())
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(options.DataDir);
            await SerialStore.SaveAsync(options.SerialFile, serials, cancellationToken).ConfigureAwait(false);
            _written = serials;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TransferLog.SerialsSaveFailed(logger, options.SerialFile, e.Message);
        }
    }
}
