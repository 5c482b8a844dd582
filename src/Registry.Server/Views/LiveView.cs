using Registry.Core.Merge;
using Registry.Core.View;
using Registry.Core.Zones;

namespace Registry.Server.Views;

/// <summary>
/// The one place the server's view changes: the current <see cref="ViewSnapshot"/> built from the last good zones and
/// the latest registrations. Readers take <see cref="Current"/> without locking (DESIGN §6); writers (the watcher loop
/// and the zone reloader) build the next snapshot one at a time, each from the previous one so SOA serials only grow.
/// </summary>
internal sealed class LiveView
{
    private readonly Lock _writeLock = new();
    private readonly string _defaultZone;
    private readonly MergePolicy _policy;
    private ZoneSet _zones;
    private RegistrationState _registrations = RegistrationState.Empty;
    private bool _stale = true;
    private ViewSnapshot _current = ViewSnapshot.Empty;
    private ZoneReloadStatus _zoneStatus;
    private IReadOnlyDictionary<string, uint>? _restoredSerials;

    // Completed (and replaced) after every publication; see ChangedAsync.
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="zones">The zones to serve first.</param>
    /// <param name="defaultZone">The zone registered services are published in.</param>
    /// <param name="policy">The merge policy.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="restoredSerials">The SOA serials the last run published (see <see cref="ViewSnapshot"/>), seeding the first snapshot.</param>
    public LiveView(ZoneSet zones, string defaultZone, MergePolicy policy, TimeProvider timeProvider, IReadOnlyDictionary<string, uint>? restoredSerials = null)
    {
        _zones = zones;
        _defaultZone = defaultZone;
        _policy = policy;
        TimeProvider = timeProvider;
        _zoneStatus = new ZoneReloadStatus(timeProvider.GetUtcNow(), null, []);
        _restoredSerials = restoredSerials;
        Rebuild();
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>The view every front end answers from.</summary>
    public ViewSnapshot Current => Volatile.Read(ref _current);

    /// <summary>The zones being served (the last ones that loaded cleanly).</summary>
    public ZoneSet Zones => Volatile.Read(ref _zones);

    /// <summary>When the zones last loaded, and the errors of the last rejected reload if it came after.</summary>
    public ZoneReloadStatus ZoneStatus => Volatile.Read(ref _zoneStatus);

    /// <summary>True once registrations from ZooKeeper or the persisted view have been applied.</summary>
    public bool HasRegistrations { get; private set; }

    /// <summary>Publishes new registrations (from the watcher, or the persisted view at startup).</summary>
    public void SetRegistrations(RegistrationState registrations, bool stale)
    {
        lock (_writeLock)
        {
            _registrations = registrations;
            _stale = stale;
            HasRegistrations = true;
            Rebuild();
        }
    }

    /// <summary>Marks the registrations stale or fresh without changing them.</summary>
    public void SetStale(bool stale)
    {
        lock (_writeLock)
        {
            if (_stale != stale)
            {
                _stale = stale;
                Rebuild();
            }
        }
    }

    /// <summary>Serves newly loaded zones.</summary>
    public void SetZones(ZoneSet zones)
    {
        lock (_writeLock)
        {
            Volatile.Write(ref _zones, zones);
            Volatile.Write(ref _zoneStatus, new ZoneReloadStatus(TimeProvider.GetUtcNow(), null, []));
            Rebuild();
        }
    }

    /// <summary>Records a rejected reload; the zones being served stay as they are.</summary>
    public void RejectZones(IReadOnlyList<string> errors)
    {
        lock (_writeLock)
        {
            Volatile.Write(ref _zoneStatus, _zoneStatus with { RejectedAt = TimeProvider.GetUtcNow(), Errors = errors });
        }
    }

    /// <summary>
    /// Completes once a snapshot other than <paramref name="seen"/> is current (at once if one already is), so that
    /// followers (NOTIFY, serial persistence) wake on publication instead of polling; they read <see cref="Current"/>
    /// then, and see only the latest of a burst.
    /// </summary>
    public Task ChangedAsync(ViewSnapshot seen, CancellationToken cancellationToken)
    {
        // The signal is read before the snapshot: a publication between the two completes the signal read here.
        var signal = Volatile.Read(ref _changed);
        return ReferenceEquals(Current, seen) ? signal.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    private void Rebuild()
    {
        // Restored serials seed the first snapshot only; later ones follow their previous snapshot.
        Volatile.Write(ref _current, new ViewSnapshot(_zones, _registrations, _defaultZone, _policy, _stale, _current, TimeProvider, _restoredSerials));
        _restoredSerials = null;
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
