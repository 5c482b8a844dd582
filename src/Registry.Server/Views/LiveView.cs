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

    public LiveView(ZoneSet zones, string defaultZone, MergePolicy policy, TimeProvider timeProvider)
    {
        _zones = zones;
        _defaultZone = defaultZone;
        _policy = policy;
        TimeProvider = timeProvider;
        _zoneStatus = new ZoneReloadStatus(timeProvider.GetUtcNow(), null, []);
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

    private void Rebuild() =>
        Volatile.Write(ref _current, new ViewSnapshot(_zones, _registrations, _defaultZone, _policy, _stale, _current, TimeProvider));
}
