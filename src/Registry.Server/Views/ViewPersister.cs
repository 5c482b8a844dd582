using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Registry.Core.View;

namespace Registry.Server.Views;

/// <summary>
/// Writes the latest fresh registrations to <c>view.json</c> (DESIGN §6), at most once per <see cref="Interval"/> so
/// that a burst of changes costs one write, and once more at shutdown so the file holds the last state seen.
/// </summary>
internal sealed partial class ViewPersister : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Channel<RegistrationState> _pending = Channel.CreateBounded<RegistrationState>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Task _loop;

    public ViewPersister(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        _loop = Task.Run(RunAsync, CancellationToken.None);
    }

    /// <summary>Queues <paramref name="state"/> to be written; a newer one offered before the write replaces it.</summary>
    public void Offer(RegistrationState state) => _pending.Writer.TryWrite(state);

    /// <summary>Writes what is still queued and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        RegistrationState? written = null;
        while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Let a burst settle so it costs one write; completion (shutdown) skips the wait.
            await Task.WhenAny(Task.Delay(Interval), _pending.Reader.Completion).ConfigureAwait(false);
            if (!_pending.Reader.TryRead(out var state) || ReferenceEquals(state, written))
            {
                continue;
            }

            try
            {
                await ViewStore.SaveAsync(_path, state).ConfigureAwait(false);
                written = state;
                Log.Saved(_logger, _path, state.Zxid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Serving goes on; only a restart during a ZooKeeper outage would miss this state.
                Log.SaveFailed(_logger, _path, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4201, LogLevel.Debug, "view saved to {Path} (zxid 0x{Zxid:x})")]
        public static partial void Saved(ILogger logger, string path, long zxid);

        [LoggerMessage(4202, LogLevel.Warning, "could not save the view to {Path}: {Reason}")]
        public static partial void SaveFailed(ILogger logger, string path, string reason);
    }
}
