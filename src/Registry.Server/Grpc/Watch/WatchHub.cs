using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.View;
using Registry.Server.Views;
using V1 = Registry.V1;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// Computes the changes of every view publication once and fans them out to every Watch stream; keeps the last
/// <see cref="WatchOptions.History"/> publications so that a stream can resume from a revision. Follows
/// <see cref="LiveView"/> by its publication signal, and sees only the latest of a burst (the changes of a skipped
/// snapshot are folded into the next diff, so nothing is lost, only coalesced).
/// </summary>
internal sealed partial class WatchHub : BackgroundService
{
    private readonly LiveView _live;
    private readonly WatchOptions _options;
    private readonly ILogger<WatchHub> _logger;
    private readonly Lock _lock = new();
    private readonly List<Publication> _history = [];
    private readonly HashSet<WatchSubscription> _subscribers = [];
    private ViewSnapshot _latest;

    // The revision of the view just before _history[0]: resuming from it misses the whole history, no more.
    private ViewRevision _historyBase;

    public WatchHub(LiveView live, WatchOptions options, ILogger<WatchHub> logger)
    {
        _live = live;
        _options = options;
        _logger = logger;
        _latest = live.Current;
        _historyBase = _latest.Revision;
    }

    /// <summary>The number of open streams, for logs and tests.</summary>
    public int StreamCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>
    /// Registers a stream and says where it starts. From the moment this returns, every later publication is queued to
    /// the subscription, so the start and the queue together miss nothing and repeat nothing.
    /// </summary>
    /// <exception cref="global::Grpc.Core.RpcException">OutOfRange: <paramref name="resumeFrom"/> is ahead of this server's view.</exception>
    public (WatchSubscription Subscription, WatchStart Start) Subscribe(ViewRevision? resumeFrom)
    {
        var subscription = new WatchSubscription(_options.Buffer);
        lock (_lock)
        {
            var start = Start(resumeFrom);
            _subscribers.Add(subscription);
            return (subscription, start);
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscription);
        }
    }

    /// <summary>Empties a fallen-behind stream's queue and returns the view it restarts from (a fresh snapshot).</summary>
    public ViewSnapshot Resync(WatchSubscription subscription)
    {
        lock (_lock)
        {
            subscription.Reset();
            return _latest;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seen = _latest;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _live.ChangedAsync(seen, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            var next = _live.Current;
            Publish(seen, next);
            seen = next;
        }
    }

    /// <summary>Diffs <paramref name="before"/> (the hub's latest) with <paramref name="next"/> and queues the result to every stream.</summary>
    internal void Publish(ViewSnapshot before, ViewSnapshot next)
    {
        // Only this method writes _latest, and only the hub loop calls it: the diff runs outside the lock.
        var changes = ViewDiff.Diff(before.Services, next.Services);
        if (changes.Count == 0 && before.Stale == next.Stale && before.Revision == next.Revision)
        {
            lock (_lock)
            {
                _latest = next;
            }

            return;
        }

        var cause = !ReferenceEquals(before.Zones, next.Zones) ? V1.ChangeCause.ZoneReload
            : changes.Count == 0 && before.Stale != next.Stale ? V1.ChangeCause.Stale
            : V1.ChangeCause.Registration;
        var publication = new Publication(next, cause, changes);
        int streams;
        lock (_lock)
        {
            _history.Add(publication);
            if (_history.Count > _options.History)
            {
                // Trimmed in halves so that trimming costs O(1) per publication on average.
                var drop = _history.Count - (_options.History / 2);
                _historyBase = _history[drop - 1].Revision;
                _history.RemoveRange(0, drop);
            }

            _latest = next;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(publication);
            }

            streams = _subscribers.Count;
        }

        Log.Published(_logger, next.Revision.ToString(), cause.ToString(), changes.Count, next.Stale, streams);
    }

    /// <summary>Where a stream resuming from <paramref name="resumeFrom"/> starts (hub lock held).</summary>
    private WatchStart Start(ViewRevision? resumeFrom)
    {
        if (resumeFrom is not { } from)
        {
            return new WatchStart(_latest, V1.SnapshotReason.Initial, null);
        }

        if (from == _latest.Revision)
        {
            return new WatchStart(_latest, V1.SnapshotReason.Unspecified, []);
        }

        // Newest first: a revision repeats only across publications that changed nothing but the stale flag.
        for (var i = _history.Count - 1; i >= 0; i--)
        {
            if (_history[i].Revision == from)
            {
                return new WatchStart(_latest, V1.SnapshotReason.Unspecified, _history.GetRange(i + 1, _history.Count - i - 1));
            }
        }

        if (from == _historyBase)
        {
            return new WatchStart(_latest, V1.SnapshotReason.Unspecified, [.. _history]);
        }

        var latest = _latest.Revision;
        if (from.Zxid > latest.Zxid || (from.Zxid == latest.Zxid && from.ZoneSerials > latest.ZoneSerials))
        {
            throw new global::Grpc.Core.RpcException(new global::Grpc.Core.Status(
                global::Grpc.Core.StatusCode.OutOfRange,
                $"revision {from} is ahead of this server's view ({latest}); it may still be catching up with ZooKeeper: retry, or watch without a revision"));
        }

        return new WatchStart(_latest, V1.SnapshotReason.OutOfHistory, null);
    }

    private static partial class Log
    {
        [LoggerMessage(4600, LogLevel.Debug, "watch: revision {Revision} published ({Cause}, {Changes} changes, stale {Stale}) to {Streams} streams")]
        public static partial void Published(ILogger logger, string revision, string cause, int changes, bool stale, int streams);
    }
}
