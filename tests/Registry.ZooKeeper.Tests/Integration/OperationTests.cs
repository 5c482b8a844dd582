using System.Text;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

[Collection(ZooKeeperCollection.Name)]
public class OperationTests(ZooKeeperFixture fixture, ITestOutputHelper output) : ZooKeeperTestBase(fixture, output)
{
    private static readonly byte[] Hello = Encoding.UTF8.GetBytes("hello");

    [Fact]
    public async Task Create_in_every_mode_returns_the_path_and_stat()
    {
        var zk = await ConnectAsync();

        var persistent = await zk.CreateAsync("/p", Hello);
        Assert.Equal("/p", persistent.Path);
        Assert.Equal(0, persistent.Stat!.EphemeralOwner);
        Assert.Equal(Hello.Length, persistent.Stat.DataLength);

        var ephemeral = await zk.CreateAsync("/e", Hello, CreateMode.Ephemeral);
        Assert.Equal(zk.SessionId, ephemeral.Stat!.EphemeralOwner);
        Assert.True(ephemeral.Stat.IsEphemeral);

        var seq1 = await zk.CreateAsync("/p/s-", default, CreateMode.PersistentSequential);
        var seq2 = await zk.CreateAsync("/p/s-", default, CreateMode.PersistentSequential);
        Assert.Equal("/p/s-0000000000", seq1.Path);
        Assert.Equal("/p/s-0000000001", seq2.Path);

        var eseq = await zk.CreateAsync("/p/", default, CreateMode.EphemeralSequential);
        Assert.Equal("/p/0000000002", eseq.Path);
        Assert.Equal(zk.SessionId, eseq.Stat!.EphemeralOwner);

        var container = await zk.CreateAsync("/c", default, CreateMode.Container);
        Assert.False(container.Stat!.IsEphemeral);

        var ttl = await zk.CreateAsync("/ttl", Hello, CreateMode.PersistentWithTtl, ttl: TimeSpan.FromMinutes(5));
        Assert.Equal("/ttl", ttl.Path);
        var ttlSeq = await zk.CreateAsync("/ttl-", default, CreateMode.PersistentSequentialWithTtl, ttl: TimeSpan.FromMinutes(5));
        Assert.StartsWith("/ttl-00000", ttlSeq.Path, StringComparison.Ordinal);

        var children = await zk.GetChildrenAsync("/");
        Assert.Equal(["c", "e", "p", "ttl", Path.GetFileName(ttlSeq.Path)], children.Children.Order(StringComparer.Ordinal));
        Assert.Equal(5, children.Stat.NumChildren);
    }

    [Fact]
    public async Task A_container_is_removed_by_the_server_after_its_last_child_goes()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/c", default, CreateMode.Container);
        await zk.CreateAsync("/c/child", default);
        await zk.DeleteAsync("/c/child");

        // The container manager runs periodically (every minute by default; the fixture sets one second).
        await EventuallyAsync(async () => await zk.ExistsAsync("/c") is null, "container /c collected");
    }

    [Fact]
    public async Task Errors_map_to_their_exception_types()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/a", Hello);
        await zk.CreateAsync("/a/child", default);
        await zk.CreateAsync("/eph", default, CreateMode.Ephemeral);

        var exists = await Assert.ThrowsAsync<NodeExistsException>(() => zk.CreateAsync("/a", default));
        Assert.Equal(KeeperErrorCode.NodeExists, exists.Code);
        Assert.Equal("/a", exists.Path);
        Assert.False(exists.IsRetryable);

        await Assert.ThrowsAsync<NoNodeException>(() => zk.CreateAsync("/missing/child", default));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.GetDataAsync("/missing"));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.DeleteAsync("/missing"));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.SetDataAsync("/missing", Hello));
        await Assert.ThrowsAsync<NoNodeException>(() => zk.GetChildrenAsync("/missing"));
        await Assert.ThrowsAsync<NotEmptyException>(() => zk.DeleteAsync("/a"));
        await Assert.ThrowsAsync<BadVersionException>(() => zk.DeleteAsync("/a/child", version: 5));
        await Assert.ThrowsAsync<BadVersionException>(() => zk.SetDataAsync("/a", Hello, version: 7));
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => zk.CreateAsync("/eph/child", default));
        Assert.Null(await zk.ExistsAsync("/missing"));
    }

    [Fact]
    public async Task Versioned_writes_and_deletes_follow_the_node_version()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/v", Hello);

        var stat = await zk.SetDataAsync("/v", Encoding.UTF8.GetBytes("v1"), version: 0);
        Assert.Equal(1, stat.Version);
        stat = await zk.SetDataAsync("/v", Encoding.UTF8.GetBytes("v2"), version: 1);
        Assert.Equal(2, stat.Version);

        var data = await zk.GetDataAsync("/v");
        Assert.Equal("v2", Encoding.UTF8.GetString(data.Data));
        Assert.Equal(stat, data.Stat);

        await zk.DeleteAsync("/v", version: 2);
        Assert.Null(await zk.ExistsAsync("/v"));
    }

    [Fact]
    public async Task Sync_returns_the_path()
    {
        var zk = await ConnectAsync();
        Assert.Equal("/", await zk.SyncAsync("/"));
    }

    [Fact]
    public async Task Multi_applies_all_operations_atomically()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/m", Hello);
        await zk.CreateAsync("/gone", default);

        var results = await zk.MultiAsync(
        [
            Op.Check("/m", 0),
            Op.Create("/m/a", Hello),
            Op.Create("/m/seq-", default, CreateMode.PersistentSequential),
            Op.SetData("/m", Encoding.UTF8.GetBytes("x"), 0),
            Op.Delete("/gone"),
        ]);

        Assert.IsType<CheckResult>(results[0]);
        Assert.Equal("/m/a", Assert.IsType<CreateResult>(results[1]).Path);
        Assert.Equal("/m/seq-0000000001", Assert.IsType<CreateResult>(results[2]).Path);
        Assert.Equal(1, Assert.IsType<SetDataResult>(results[3]).Stat.Version);
        Assert.IsType<DeleteResult>(results[4]);
        Assert.Null(await zk.ExistsAsync("/gone"));
    }

    [Fact]
    public async Task A_failing_operation_leaves_nothing_of_the_multi_applied()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/m", Hello);

        var ex = await Assert.ThrowsAsync<BadVersionException>(() => zk.MultiAsync(
        [
            Op.Create("/m/a", Hello),
            Op.SetData("/m", Encoding.UTF8.GetBytes("changed")),
            Op.Check("/m", 0),
            Op.Create("/m/b", Hello),
        ]));

        Assert.Equal("/m", ex.Path);
        Assert.Equal(
            [new ErrorResult(KeeperErrorCode.Ok), new ErrorResult(KeeperErrorCode.Ok), new ErrorResult(KeeperErrorCode.BadVersion), new ErrorResult(KeeperErrorCode.RuntimeInconsistency)],
            ex.MultiResults);
        Assert.Null(await zk.ExistsAsync("/m/a"));
        Assert.Null(await zk.ExistsAsync("/m/b"));
        var data = await zk.GetDataAsync("/m");
        Assert.Equal(Hello, data.Data);
        Assert.Equal(0, data.Stat.Version);
    }

    [Fact]
    public async Task MultiRead_reads_many_nodes_in_one_request_each_read_failing_on_its_own()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/r", Hello);
        await zk.CreateAsync("/r/b", Encoding.UTF8.GetBytes("bee"));
        await zk.CreateAsync("/r/a", default);

        var results = await zk.MultiReadAsync([Op.GetData("/r"), Op.GetChildren("/r"), Op.GetData("/r/missing"), Op.GetData("/r/b"), Op.GetChildren("/nope")]);

        Assert.Equal(5, results.Count);
        var root = Assert.IsType<GetDataResult>(results[0]);
        Assert.Equal(Hello, root.Data);
        Assert.Equal(2, root.Stat.NumChildren);
        Assert.Equal(["a", "b"], Assert.IsType<GetChildrenResult>(results[1]).Children.Order(StringComparer.Ordinal));
        Assert.Equal(new ErrorResult(KeeperErrorCode.NoNode), results[2]);
        Assert.Equal("bee", Encoding.UTF8.GetString(Assert.IsType<GetDataResult>(results[3]).Data));
        Assert.Equal(new ErrorResult(KeeperErrorCode.NoNode), results[4]);
        Assert.Empty(await zk.MultiReadAsync([]));

        // Reads and writes do not mix: a multi is a transaction, a multiRead is not.
        await Assert.ThrowsAsync<ArgumentException>(() => zk.MultiReadAsync([Op.GetData("/r"), Op.Delete("/r/a")]));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.MultiAsync([Op.GetData("/r")]));
        Assert.NotNull(await zk.ExistsAsync("/r/a"));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_order()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/q", default);

        // Sequential names are assigned in the order the server receives the creates.
        var creates = Enumerable.Range(0, 5000).Select(i => zk.CreateAsync("/q/n-", BitConverter.GetBytes(i), CreateMode.PersistentSequential)).ToArray();
        var results = await Task.WhenAll(creates);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal($"/q/n-{i:D10}", results[i].Path);
        }

        var reads = await Task.WhenAll(results.Select(r => zk.GetDataAsync(r.Path)));
        Assert.Equal(Enumerable.Range(0, 5000), reads.Select(r => BitConverter.ToInt32(r.Data)));
    }

    [Fact]
    public async Task A_request_over_the_server_limit_fails_alone_and_the_connection_stays_up()
    {
        var zk = await ConnectAsync();
        var sessionId = zk.SessionId;
        var ex = await Assert.ThrowsAsync<MarshallingErrorException>(() => zk.CreateAsync("/big", new byte[2 * 1024 * 1024]));
        Assert.Contains("jute.maxbuffer", ex.Message, StringComparison.Ordinal);

        await zk.CreateAsync("/small", new byte[500 * 1024]);
        Assert.Equal(500 * 1024, (await zk.GetDataAsync("/small")).Data.Length);
        Assert.Equal(sessionId, zk.SessionId);
        Assert.Equal(SessionState.Connected, zk.State);
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_before_anything_is_sent()
    {
        var zk = await ConnectAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("no-slash", default));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("/a/", default));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("/ttl", default, CreateMode.PersistentWithTtl));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("/a", default, CreateMode.Persistent, ttl: TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.CreateAsync("/a", default, acl: []));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.DeleteAsync("/"));
        await Assert.ThrowsAsync<ArgumentException>(() => zk.MultiAsync([Op.Create("bad", default)]));
        Assert.Null(await zk.ExistsAsync("/a"));
    }

    [Fact]
    public async Task A_canceled_call_ends_at_once_and_leaves_the_session_usable()
    {
        var zk = await ConnectAsync();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => zk.CreateAsync("/never", default, cancellationToken: canceled.Token));
        Assert.Null(await zk.ExistsAsync("/never"));

        using var midway = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 2000).Select(i => zk.ExistsAsync("/", cancellationToken: midway.Token)).ToArray();
        await midway.CancelAsync();
        foreach (var call in calls)
        {
            try
            {
                await call;
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Replies to the canceled requests were matched and dropped: the FIFO is still aligned.
        await zk.CreateAsync("/after", Hello);
        Assert.Equal(Hello, (await zk.GetDataAsync("/after")).Data);
    }

    [Fact]
    public async Task Chroot_confines_the_client()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/inside", default);

        await using var root = await ZooKeeperClient.ConnectAsync(Server.ConnectString);
        Assert.NotNull(await root.ExistsAsync(Root + "/inside"));
        Assert.Null(await root.ExistsAsync("/inside"));
        Assert.Equal(Root, zk.Chroot);
    }
}
