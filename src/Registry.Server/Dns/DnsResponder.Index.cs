using Registry.Core.View;

namespace Registry.Server.Dns;

/// <summary>
/// Which index answers: the newest one ready. Indexes are built off the query path, one at a time, each from the
/// previous one (<see cref="DnsZoneIndex.Update"/>), for the newest snapshot a query brought.
/// </summary>
/// <remarks>
/// Consistency: a query is answered from one index, so from one snapshot, but not necessarily the one it came with:
/// while the index of a new snapshot is being built, queries are answered from the previous one, so answers trail the
/// view by one build (milliseconds; an incremental build costs what changed). Snapshots that come while a build runs
/// are not each indexed: the next build takes the newest, so a burst of changes costs a few builds, not one each. Only
/// the very first index (when there is none to answer from) is built on the query path.
/// </remarks>
internal sealed partial class DnsResponder
{
    private readonly Lock _firstBuildLock = new();
    private DnsZoneIndex? _index;
    private ViewSnapshot? _requested;
    private ViewSnapshot? _failed;
    private int _building;
    private int _builds;

    /// <summary>Called on the background builder before it indexes a snapshot: lets tests hold a build back.</summary>
    internal Action<ViewSnapshot>? BeforeBackgroundBuild { get; init; }

    /// <summary>How many indexes this responder has built (full or incremental), for tests and metrics.</summary>
    internal int Builds => Volatile.Read(ref _builds);

    /// <summary>The index queries are answered from now, or null before the first query.</summary>
    internal DnsZoneIndex? Ready => Volatile.Read(ref _index);

    /// <summary>
    /// The index a query that brings <paramref name="view"/> is answered from: the newest ready one, and a background
    /// build of <paramref name="view"/> requested when it is of another snapshot (newer, by revision; an older one a
    /// query read just before the view changed is answered from the newer index and not built).
    /// </summary>
    internal DnsZoneIndex Serving(ViewSnapshot view)
    {
        var index = Volatile.Read(ref _index) ?? First(view);
        if (!ReferenceEquals(index.View, view))
        {
            Request(view);
        }

        return index;
    }

    /// <summary>
    /// The index of exactly <paramref name="view"/>, built now on the caller's thread if it is not the ready one (from
    /// the ready one, incrementally), and served from then on unless a newer one is ready. For zone transfers, which
    /// must send one snapshot, and for tests.
    /// </summary>
    internal DnsZoneIndex IndexOf(ViewSnapshot view)
    {
        var index = Volatile.Read(ref _index) ?? First(view);
        if (ReferenceEquals(index.View, view))
        {
            return index;
        }

        var built = Make(view, index);
        Publish(built);
        return built;
    }

    /// <summary>The first index: built on the caller's thread, once, as there is nothing older to answer from.</summary>
    private DnsZoneIndex First(ViewSnapshot view)
    {
        lock (_firstBuildLock)
        {
            var index = Volatile.Read(ref _index);
            if (index is null)
            {
                index = Make(view, basis: null);
                Publish(index);
            }

            return index;
        }
    }

    private void Request(ViewSnapshot view)
    {
        while (true)
        {
            var requested = Volatile.Read(ref _requested);
            if (ReferenceEquals(requested, view) || (requested is not null && view.Revision < requested.Revision))
            {
                break;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _requested, view, requested), requested))
            {
                break;
            }
        }

        // Single flight: while the loop runs, the request above is all it takes; it builds the newest when it is done.
        if (NeedsBuild(Volatile.Read(ref _requested)) && Interlocked.CompareExchange(ref _building, 1, 0) == 0)
        {
            _ = Task.Run(BuildLoop);
        }
    }

    private void BuildLoop()
    {
        while (true)
        {
            var target = Volatile.Read(ref _requested);
            if (!NeedsBuild(target))
            {
                Volatile.Write(ref _building, 0);

                // A request made between the check and the release saw the loop running and left its snapshot to it.
                if (NeedsBuild(Volatile.Read(ref _requested)) && Interlocked.CompareExchange(ref _building, 1, 0) == 0)
                {
                    continue;
                }

                return;
            }

            BeforeBackgroundBuild?.Invoke(target!);
            try
            {
                Publish(Make(target!, Volatile.Read(ref _index)));
            }
#pragma warning disable CA1031 // A failed build must not stop the builder: queries keep the ready index, and the next snapshot is tried.
            catch (Exception)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _failed, target);
            }
        }
    }

    /// <summary>True when <paramref name="target"/> is newer than the ready index and has not failed to build.</summary>
    private bool NeedsBuild(ViewSnapshot? target)
    {
        var ready = Volatile.Read(ref _index);
        return target is not null
            && !ReferenceEquals(target, Volatile.Read(ref _failed))
            && (ready is null || (!ReferenceEquals(ready.View, target) && ready.View.Revision <= target.Revision));
    }

    private DnsZoneIndex Make(ViewSnapshot view, DnsZoneIndex? basis)
    {
        Interlocked.Increment(ref _builds);
        return basis is null ? DnsZoneIndex.Build(view, _options) : DnsZoneIndex.Update(basis, view, _options);
    }

    /// <summary>Serves <paramref name="index"/> from now on, unless the ready one is of a newer snapshot (or the same).</summary>
    private void Publish(DnsZoneIndex index)
    {
        while (true)
        {
            var ready = Volatile.Read(ref _index);
            if (ready is not null && (ReferenceEquals(ready.View, index.View) || ready.View.Revision > index.View.Revision))
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref _index, index, ready), ready))
            {
                return;
            }
        }
    }
}
