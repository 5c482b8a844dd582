using Registry.ZooKeeper.Internal;

namespace Registry.ZooKeeper.Tests.Watches;

/// <summary>Which watchers an event triggers, and which survive it (the Java client's ZKWatchManager rules).</summary>
public class WatchManagerTests
{
    private readonly WatchManager _watches = new();
    private readonly IWatcher _a = Watcher.Create(_ => { });
    private readonly IWatcher _b = Watcher.Create(_ => { });

    [Fact]
    public void Data_change_triggers_data_and_exist_watches_once()
    {
        _watches.Add(WatchKind.Data, "/n", _a);
        _watches.Add(WatchKind.Exist, "/n", _b);
        _watches.Add(WatchKind.Child, "/n", _b);

        Assert.Equal([_a, _b], Sorted(_watches.Materialize(WatchEventType.NodeDataChanged, "/n")));
        Assert.Empty(_watches.Materialize(WatchEventType.NodeDataChanged, "/n"));

        // The child watch was not consumed.
        Assert.Equal([_b], _watches.Materialize(WatchEventType.NodeChildrenChanged, "/n"));
    }

    [Fact]
    public void Deletion_consumes_every_one_shot_watch_of_the_node_and_delivers_each_watcher_once()
    {
        _watches.Add(WatchKind.Data, "/n", _a);
        _watches.Add(WatchKind.Child, "/n", _a);
        _watches.Add(WatchKind.Exist, "/n", _b);

        Assert.Equal([_a, _b], Sorted(_watches.Materialize(WatchEventType.NodeDeleted, "/n")));
        Assert.True(_watches.IsEmpty);
    }

    [Fact]
    public void Persistent_watches_stay_and_see_data_and_children_of_their_node_only()
    {
        _watches.Add(WatchKind.Persistent, "/p", _a);

        Assert.Equal([_a], _watches.Materialize(WatchEventType.NodeDataChanged, "/p"));
        Assert.Equal([_a], _watches.Materialize(WatchEventType.NodeChildrenChanged, "/p"));
        Assert.Empty(_watches.Materialize(WatchEventType.NodeCreated, "/p/child"));
        Assert.Equal([_a], _watches.Materialize(WatchEventType.NodeDeleted, "/p"));
        Assert.False(_watches.IsEmpty);
    }

    [Fact]
    public void Recursive_watches_see_every_descendant_but_not_child_list_events()
    {
        _watches.Add(WatchKind.PersistentRecursive, "/services", _a);
        _watches.Add(WatchKind.PersistentRecursive, "/", _b);

        Assert.Equal([_a, _b], Sorted(_watches.Materialize(WatchEventType.NodeCreated, "/services/web/i1")));
        Assert.Equal([_a, _b], Sorted(_watches.Materialize(WatchEventType.NodeDeleted, "/services")));
        Assert.Equal([_b], _watches.Materialize(WatchEventType.NodeDataChanged, "/other"));
        Assert.Empty(_watches.Materialize(WatchEventType.NodeChildrenChanged, "/services"));

        // "/servicesX" is a sibling, not a descendant.
        Assert.Equal([_b], _watches.Materialize(WatchEventType.NodeCreated, "/servicesX"));
    }

    [Fact]
    public void Snapshot_lists_every_watch_by_kind_for_setWatches2()
    {
        _watches.Add(WatchKind.Data, "/d", _a);
        _watches.Add(WatchKind.Exist, "/e", _a);
        _watches.Add(WatchKind.Child, "/c", _a);
        _watches.Add(WatchKind.Persistent, "/p", _a);
        _watches.Add(WatchKind.PersistentRecursive, "/r", _a);
        _watches.Add(WatchKind.PersistentRecursive, "/r", _b);

        var snapshot = _watches.Snapshot();
        Assert.Equal(["/d"], snapshot[WatchKind.Data]);
        Assert.Equal(["/e"], snapshot[WatchKind.Exist]);
        Assert.Equal(["/c"], snapshot[WatchKind.Child]);
        Assert.Equal(["/p"], snapshot[WatchKind.Persistent]);
        Assert.Equal(["/r"], snapshot[WatchKind.PersistentRecursive]);
    }

    [Fact]
    public void The_server_watch_is_removed_only_when_no_local_watcher_is_left_on_it()
    {
        _watches.Add(WatchKind.Data, "/n", _a);
        _watches.Add(WatchKind.Exist, "/n", _b);
        _watches.Add(WatchKind.Child, "/n", _a);

        // Data and exist watches share the server's data watch: _b still needs it.
        Assert.Empty(_watches.ServerWatchesEmptiedBy("/n", _a, [WatchKind.Data]));
        Assert.Equal([WatcherType.Children], _watches.ServerWatchesEmptiedBy("/n", _a, [WatchKind.Child]));
        Assert.Equal([WatcherType.Data], _watches.ServerWatchesEmptiedBy("/n", null, [WatchKind.Data, WatchKind.Exist]));

        var removed = _watches.Remove("/n", _a, [WatchKind.Data, WatchKind.Child]);
        Assert.Equal(2, removed.Count);
        Assert.Equal([WatchKind.Exist], _watches.KindsOn("/n"));
    }

    [Fact]
    public void Clear_returns_each_watcher_once()
    {
        _watches.Add(WatchKind.Data, "/a", _a);
        _watches.Add(WatchKind.PersistentRecursive, "/", _a);
        _watches.Add(WatchKind.Child, "/b", _b);

        Assert.Equal([_a, _b], Sorted(_watches.Clear()));
        Assert.True(_watches.IsEmpty);
    }

    private List<IWatcher> Sorted(IEnumerable<IWatcher> watchers) => [.. watchers.OrderBy(w => ReferenceEquals(w, _a) ? 0 : 1)];
}
