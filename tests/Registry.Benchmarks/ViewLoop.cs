using System.Diagnostics;
using Registry.Core.Merge;
using Registry.Core.View;
using Registry.Core.Zones;
using Registry.Discovery;

namespace Registry.Benchmarks;

/// <summary>
/// The server's view loop, exactly as the server runs it (each state of the watcher becomes a snapshot built on the
/// previous one, then published), plus a probe: the benchmark says which snapshot it waits for, and the loop stamps
/// when that snapshot was published.
/// </summary>
internal sealed class ViewLoop : IAsyncDisposable
{
    private readonly RegistrationWatcher _watcher;
    private readonly ZoneSet _zones;
    private readonly string _defaultZone;
    private readonly MergePolicy _policy;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ViewSnapshot _current = ViewSnapshot.Empty;
    private Probe? _probe;
    private long _snapshots;

    public ViewLoop(RegistrationWatcher watcher, ZoneSet zones, string defaultZone, MergePolicy policy)
    {
        _watcher = watcher;
        _zones = zones;
        _defaultZone = defaultZone;
        _policy = policy;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The snapshot last published.</summary>
    public ViewSnapshot Current => Volatile.Read(ref _current);

    /// <summary>How many snapshots the loop has built.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    /// <summary>
    /// Arms the probe: the returned task completes with the timestamps of the first snapshot published from now on
    /// that satisfies <paramref name="condition"/>. Arm it before making the change, so no publication is missed.
    /// </summary>
    public Task<Publication> Expect(Func<ViewSnapshot, bool> condition)
    {
        var probe = new Probe(condition);
        Volatile.Write(ref _probe, probe);
        return probe.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // The server's loop (see the brief of deploy/bench/propagation/run.sh), with timestamps around the build.
        ViewSnapshot? previous = null;
        await foreach (var state in _watcher.WatchAsync(_stop.Token))
        {
            var received = Stopwatch.GetTimestamp();
            var snapshot = new ViewSnapshot(_zones, state, _defaultZone, _policy, _watcher.IsStale, previous);
            previous = snapshot;
            Volatile.Write(ref _current, snapshot);
            var published = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _snapshots);

            if (Volatile.Read(ref _probe) is { } probe && probe.Condition(snapshot))
            {
                Interlocked.CompareExchange(ref _probe, null, probe);
                probe.Complete(new Publication(received, published, snapshot));
            }
        }
    }

    /// <summary>When the loop received the state (<see cref="Received"/>) and published its snapshot (<see cref="Published"/>), in <see cref="Stopwatch"/> ticks.</summary>
    internal readonly record struct Publication(long Received, long Published, ViewSnapshot Snapshot);

    private sealed class Probe(Func<ViewSnapshot, bool> condition)
    {
        private readonly TaskCompletionSource<Publication> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<ViewSnapshot, bool> Condition { get; } = condition;

        public Task<Publication> Task => _done.Task;

        public void Complete(Publication publication) => _done.TrySetResult(publication);
    }
}
