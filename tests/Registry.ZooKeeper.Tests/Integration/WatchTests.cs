using System.Text;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

[Collection(ZooKeeperCollection.Name)]
public class WatchTests(ZooKeeperFixture fixture, ITestOutputHelper output) : ZooKeeperTestBase(fixture, output)
{
    [Fact]
    public async Task Standard_watches_fire_once()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();
        await zk.CreateAsync("/n", default);

        await zk.GetDataAsync("/n", watcher);
        await zk.SetDataAsync("/n", new byte[] { 1 });
        await zk.SetDataAsync("/n", new byte[] { 2 });
        var first = await watcher.NextAsync();
        Assert.Equal((WatchEventType.NodeDataChanged, "/n"), (first.Type, first.Path));

        // The second change did not fire it again: the next event is the marker's.
        await AssertNextIsMarkerAsync(zk, watcher);
    }

    [Fact]
    public async Task Exists_watches_fire_on_creation_and_child_watches_on_children()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();

        Assert.Null(await zk.ExistsAsync("/later", watcher));
        await zk.CreateAsync("/later", default);
        Assert.Equal((WatchEventType.NodeCreated, "/later"), Pick(await watcher.NextAsync()));

        await zk.GetChildrenAsync("/later", watcher);
        await zk.CreateAsync("/later/c", default);
        Assert.Equal((WatchEventType.NodeChildrenChanged, "/later"), Pick(await watcher.NextAsync()));

        await zk.GetDataAsync("/later/c", watcher);
        await zk.ExistsAsync("/later/c", watcher);
        await zk.DeleteAsync("/later/c");

        // One watcher registered twice on the same node gets the event once.
        Assert.Equal((WatchEventType.NodeDeleted, "/later/c"), Pick(await watcher.NextAsync()));
        await AssertNextIsMarkerAsync(zk, watcher);
    }

    [Fact]
    public async Task Persistent_recursive_watches_fire_for_every_change_below_the_path()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();
        await zk.CreateAsync("/services", default);
        await zk.AddWatchAsync("/services", watcher, AddWatchMode.PersistentRecursive);

        await zk.CreateAsync("/services/web", default);
        await zk.CreateAsync("/services/web/i1", Encoding.UTF8.GetBytes("a"));
        await zk.SetDataAsync("/services/web/i1", Encoding.UTF8.GetBytes("b"));
        await zk.SetDataAsync("/services/web/i1", Encoding.UTF8.GetBytes("c"));
        await zk.DeleteAsync("/services/web/i1");

        var expected = new[]
        {
            (WatchEventType.NodeCreated, "/services/web"),
            (WatchEventType.NodeCreated, "/services/web/i1"),
            (WatchEventType.NodeDataChanged, "/services/web/i1"),
            (WatchEventType.NodeDataChanged, "/services/web/i1"),
            (WatchEventType.NodeDeleted, "/services/web/i1"),
        };
        foreach (var e in expected)
        {
            Assert.Equal(e, Pick(await watcher.NextAsync()));
        }
    }

    [Fact]
    public async Task Persistent_watches_stay_set_and_see_data_and_children()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();
        await zk.CreateAsync("/p", default);
        await zk.AddWatchAsync("/p", watcher, AddWatchMode.Persistent);

        await zk.SetDataAsync("/p", new byte[] { 1 });
        await zk.SetDataAsync("/p", new byte[] { 2 });
        await zk.CreateAsync("/p/child", default);
        await zk.CreateAsync("/p/child/grandchild", default);
        await zk.SetDataAsync("/p", new byte[] { 3 });

        Assert.Equal((WatchEventType.NodeDataChanged, "/p"), Pick(await watcher.NextAsync()));
        Assert.Equal((WatchEventType.NodeDataChanged, "/p"), Pick(await watcher.NextAsync()));
        Assert.Equal((WatchEventType.NodeChildrenChanged, "/p"), Pick(await watcher.NextAsync()));

        // Not recursive: the grandchild is not reported.
        Assert.Equal((WatchEventType.NodeDataChanged, "/p"), Pick(await watcher.NextAsync()));
    }

    [Fact]
    public async Task Removed_watches_are_told_and_fire_no_more()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();
        var other = new RecordingWatcher();
        await zk.CreateAsync("/r", default);
        await zk.GetDataAsync("/r", watcher);
        await zk.GetDataAsync("/r", other);
        await zk.AddWatchAsync("/r", watcher, AddWatchMode.PersistentRecursive);

        await zk.RemoveWatchesAsync("/r", watcher, WatcherType.Data);
        Assert.Equal((WatchEventType.DataWatchRemoved, "/r"), Pick(await watcher.NextAsync()));
        await zk.RemoveWatchesAsync("/r", watcher, WatcherType.PersistentRecursive);
        Assert.Equal((WatchEventType.PersistentWatchRemoved, "/r"), Pick(await watcher.NextAsync()));
        await Assert.ThrowsAsync<NoWatcherException>(() => zk.RemoveWatchesAsync("/r", watcher, WatcherType.Any));

        // The other watcher's data watch is still set on the server and still fires (on ZooKeeper 3.8 removing a
        // persistent watch takes every watch of the path with it, so the client must have re-armed this one).
        await zk.SetDataAsync("/r", new byte[] { 1 });
        Assert.Equal((WatchEventType.NodeDataChanged, "/r"), Pick(await other.NextAsync()));
        await AssertNextIsMarkerAsync(zk, watcher);
    }

    [Fact]
    public async Task Removing_a_persistent_watch_keeps_other_watchers_on_the_path()
    {
        var zk = await ConnectAsync();
        var persistent = new RecordingWatcher();
        var children = new RecordingWatcher();
        var data = new RecordingWatcher();
        await zk.CreateAsync("/s", default);
        await zk.AddWatchAsync("/s", persistent, AddWatchMode.Persistent);
        await zk.GetChildrenAsync("/s", children);
        await zk.GetDataAsync("/s", data);

        await zk.RemoveWatchesAsync("/s", persistent, WatcherType.Persistent);
        Assert.Equal(WatchEventType.PersistentWatchRemoved, (await persistent.NextAsync()).Type);

        await zk.CreateAsync("/s/c", default);
        await zk.SetDataAsync("/s", new byte[] { 1 });
        Assert.Equal((WatchEventType.NodeChildrenChanged, "/s"), Pick(await children.NextAsync()));
        Assert.Equal((WatchEventType.NodeDataChanged, "/s"), Pick(await data.NextAsync()));
        await AssertNextIsMarkerAsync(zk, persistent);
    }

    [Fact]
    public async Task Every_kind_of_watch_survives_a_cut_connection()
    {
        await using var proxy = await TcpProxy.StartAsync(Server.EndPoint);
        var zk = await ConnectAsync(proxy.ConnectString + Root, sessionTimeout: TimeSpan.FromSeconds(6));
        var watcher = new RecordingWatcher();
        await zk.CreateAsync("/w", default);
        await zk.CreateAsync("/tree", default);
        await zk.GetDataAsync("/w", watcher);
        await zk.ExistsAsync("/not-yet", watcher);
        await zk.GetChildrenAsync("/w", watcher);
        await zk.AddWatchAsync("/tree", watcher, AddWatchMode.PersistentRecursive);
        var sessionId = zk.SessionId;

        proxy.CutAll();
        await EventuallyAsync(() => Task.FromResult(zk.State == SessionState.Connected && proxy.AcceptedConnections >= 2), "reconnected through the proxy");
        Assert.Equal(sessionId, zk.SessionId);

        await using var writer = await ZooKeeperClient.ConnectAsync(Server.ConnectString + Root);
        await writer.SetDataAsync("/w", new byte[] { 1 });
        await writer.CreateAsync("/not-yet", default);
        await writer.CreateAsync("/w/child", default);
        await writer.CreateAsync("/tree/leaf", default);

        var events = new HashSet<(WatchEventType, string?)>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(Pick(await watcher.NextAsync()));
        }

        Assert.Equal(
            new HashSet<(WatchEventType, string?)>
            {
                (WatchEventType.NodeDataChanged, "/w"),
                (WatchEventType.NodeCreated, "/not-yet"),
                (WatchEventType.NodeChildrenChanged, "/w"),
                (WatchEventType.NodeCreated, "/tree/leaf"),
            },
            events);
    }

    [Fact]
    public async Task Changes_made_while_partitioned_fire_one_shot_watches_after_the_partition_heals()
    {
        await using var proxy = await TcpProxy.StartAsync(Server.EndPoint);
        var states = new RecordingWatcher();
        var zk = await ConnectAsync(proxy.ConnectString + Root, sessionTimeout: TimeSpan.FromSeconds(6), sessionWatcher: states);
        var oneShot = new RecordingWatcher();
        var recursive = new RecordingWatcher();
        await zk.CreateAsync("/w", default);
        await zk.GetDataAsync("/w", oneShot);
        await zk.AddWatchAsync("/", recursive, AddWatchMode.PersistentRecursive);

        proxy.Blackhole();
        var suspended = await states.NextMatchingAsync(e => e.State == SessionState.Suspended);
        Assert.Equal(WatchEventType.None, suspended.Type);

        // While the client is cut off another client changes what it watches. The server keeps no events for a
        // disconnected client: setWatches2, relative to the last zxid the client saw, makes it fire one-shot watches
        // whose node changed since; persistent watches are re-armed but missed changes are not replayed (a reader
        // that must not miss them resyncs after a reconnect).
        await using (var writer = await ZooKeeperClient.ConnectAsync(Server.ConnectString + Root))
        {
            await writer.SetDataAsync("/w", new byte[] { 9 });
            await writer.CreateAsync("/missed", default);
        }

        proxy.Restore();
        await states.NextMatchingAsync(e => e.State == SessionState.Connected);
        Assert.Equal((WatchEventType.NodeDataChanged, "/w"), Pick(await oneShot.NextAsync()));

        // The replayed /w event also reaches the recursive watch on an ancestor; the creation of /missed does not.
        await zk.CreateAsync("/after", default);
        var next = await recursive.NextMatchingAsync(e => e.Path != "/w");
        Assert.Equal((WatchEventType.NodeCreated, "/after"), Pick(next));
    }

    [Fact]
    public async Task A_throwing_watcher_does_not_stop_later_events()
    {
        var zk = await ConnectAsync();
        var watcher = new RecordingWatcher();
        await zk.CreateAsync("/t", default);
        await zk.GetDataAsync("/t", Watcher.Create(_ => throw new InvalidOperationException("application bug")));
        await zk.SetDataAsync("/t", new byte[] { 1 });
        await AssertNextIsMarkerAsync(zk, watcher);
    }

    private static (WatchEventType, string?) Pick(WatchedEvent e) => (e.Type, e.Path);

    /// <summary>
    /// Creates a marker node watched by <paramref name="watcher"/> and asserts its creation is the next event.
    /// Events are delivered in order, so any event the watcher should not have got would come first.
    /// </summary>
    private static async Task AssertNextIsMarkerAsync(ZooKeeperClient zk, RecordingWatcher watcher)
    {
        var marker = $"/marker-{Guid.NewGuid():N}";
        Assert.Null(await zk.ExistsAsync(marker, watcher));
        await zk.CreateAsync(marker, default);
        Assert.Equal((WatchEventType.NodeCreated, marker), Pick(await watcher.NextAsync()));
    }
}
