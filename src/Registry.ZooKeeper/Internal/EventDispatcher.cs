using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Registry.ZooKeeper.Internal;

/// <summary>
/// Delivers watch and session events one at a time, in arrival order, off the read loop (the Java client's
/// EventThread): a slow or throwing watcher never stalls the connection.
/// </summary>
internal sealed class EventDispatcher : IAsyncDisposable
{
    private readonly Channel<(IWatcher Watcher, WatchedEvent Event)> _queue =
        Channel.CreateUnbounded<(IWatcher, WatchedEvent)>(new UnboundedChannelOptions { SingleReader = true });

    // Flows into a watcher's callback and whatever it awaits: tells DisposeAsync it is being called from the
    // dispatcher itself, which must not wait for its own loop to finish.
    private static readonly AsyncLocal<EventDispatcher?> Current = new();

    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventDispatcher(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(IWatcher watcher, WatchedEvent watchedEvent) => _queue.Writer.TryWrite((watcher, watchedEvent));

    /// <summary>Delivers what is queued, then stops. Called from a watcher's own callback, it does not wait.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (Current.Value != this)
        {
            await _loop.ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        Current.Value = this;
        await foreach (var (watcher, watchedEvent) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await watcher.ProcessAsync(watchedEvent).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A watcher's failure is the application's; it must not stop event delivery.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.WatcherFailed(_logger, watchedEvent.Type, watchedEvent.Path, ex);
            }
        }
    }
}
