using Grpc.Core;
using Registry.Testing;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>Watch over real gRPC against the server process and a real ZooKeeper.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync("--watch-heartbeat", "300ms", "--watch-history", "4");

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Watch_sees_add_change_and_remove_in_order_with_increasing_revisions()
    {
        using var watch = WatchReader.Open(_fixture.Client, null, "api");
        var first = await watch.NextChangeAsync();
        Assert.Equal(V1.SnapshotReason.Initial, first.Snapshot.Reason);
        Assert.Empty(first.Snapshot.Services);

        await using var i1 = await _fixture.RegisterAsync("api", "i1", "10.0.0.1");
        var firstRegistration = await watch.UntilEndpointAsync("i1.api.svc.example.");
        var kinds = firstRegistration.SelectMany(e => e.Changes.Changes).Select(c => c.Kind).ToList();
        Assert.True(kinds.SequenceEqual([V1.ChangeKind.ServiceAdded]) || kinds.SequenceEqual([V1.ChangeKind.ServiceAdded, V1.ChangeKind.EndpointAdded]), string.Join(", ", kinds));
        Assert.All(firstRegistration, e => Assert.Equal(V1.ChangeCause.Registration, e.Changes.Cause));
        var added = firstRegistration[^1];

        var i2 = await _fixture.RegisterAsync("api", "i2", "10.0.0.2");
        var endpointAdded = await watch.NextChangeAsync();
        Assert.Equal(V1.ChangeKind.EndpointAdded, Assert.Single(endpointAdded.Changes.Changes).Kind);
        Assert.Equal("i2.api.svc.example.", endpointAdded.Changes.Changes[0].Endpoint.Target);

        await i1.SetWeightAsync(50);
        var changed = Assert.Single((await watch.NextChangeAsync()).Changes.Changes);
        Assert.Equal(V1.ChangeKind.EndpointChanged, changed.Kind);
        Assert.Equal((10, 50), (changed.Previous.Weight, changed.Endpoint.Weight));

        await i2.DisposeAsync();
        var removed = await watch.NextChangeAsync();
        Assert.Equal(V1.ChangeKind.EndpointRemoved, Assert.Single(removed.Changes.Changes).Kind);

        var revisions = new[] { first, added, endpointAdded, removed }.Select(e => e.Revision.Zxid).ToList();
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(revisions.Count, revisions.Distinct().Count());
    }

    [Fact]
    public async Task A_stream_without_a_filter_gets_the_same_events_as_a_filtered_stream_builds()
    {
        // The unfiltered stream sends the publication's own event, shared by every such stream; the filtered one
        // builds its own from the publication's changes. The client must not be able to tell.
        using var everything = WatchReader.Open(_fixture.Client);
        using var filtered = WatchReader.Open(_fixture.Client, null, "mail");
        await everything.NextChangeAsync();
        await filtered.NextChangeAsync();

        await using var m1 = await _fixture.RegisterAsync("mail", "m1", "10.0.9.1");
        var fromEverything = await everything.UntilEndpointAsync("m1.mail.svc.example.");
        var fromFiltered = await filtered.UntilEndpointAsync("m1.mail.svc.example.");
        Assert.Equal(fromFiltered, fromEverything);

        await m1.SetWeightAsync(70);
        var changed = await everything.NextChangeAsync();
        Assert.Equal(await filtered.NextChangeAsync(), changed);
        Assert.Equal(70, Assert.Single(changed.Changes.Changes).Endpoint.Weight);
    }

    [Fact]
    public async Task A_cut_stream_resumed_from_its_last_revision_gets_exactly_the_missed_changes()
    {
        V1.Revision last;
        using (var watch = WatchReader.Open(_fixture.Client, null, "api"))
        {
            await watch.NextChangeAsync();
            await _fixture.RegisterAsync("api", "i1", "10.0.0.1");
            last = (await watch.UntilEndpointAsync("i1.api.svc.example."))[^1].Revision;
        }

        // Missed while cut: two publications, each awaited in the view so the watcher cannot fold them into one.
        var i2 = await _fixture.RegisterAsync("api", "i2", "10.0.0.2");
        await UntilAnswerAsync("api", a => a.Count == 2);
        await i2.SetWeightAsync(7);
        await UntilAnswerAsync("api", a => a.Any(e => e.Weight == 7));

        using var resumed = WatchReader.Open(_fixture.Client, last, "api");
        var missed = new List<V1.WatchEvent> { await resumed.NextChangeAsync(), await resumed.NextChangeAsync() };
        Assert.Equal([V1.ChangeKind.EndpointAdded, V1.ChangeKind.EndpointChanged], missed.Select(e => Assert.Single(e.Changes.Changes).Kind));
        Assert.True(missed[0].Revision.Zxid > last.Zxid && missed[1].Revision.Zxid > missed[0].Revision.Zxid);

        // Then nothing more: the next event is a heartbeat at the last revision, not a repeat.
        var next = await resumed.NextAsync();
        Assert.Equal(V1.WatchEvent.EventOneofCase.Heartbeat, next.EventCase);
        Assert.Equal(missed[1].Revision, next.Revision);
    }

    [Fact]
    public async Task A_revision_older_than_the_history_gets_a_fresh_snapshot_marked_as_such()
    {
        V1.Revision last;
        using (var watch = WatchReader.Open(_fixture.Client))
        {
            await watch.NextChangeAsync();
            await _fixture.RegisterAsync("api", "i0", "10.0.0.10");
            last = (await watch.UntilEndpointAsync("i0.api.svc.example."))[^1].Revision;
        }

        for (var i = 1; i <= 6; i++)
        {
            await _fixture.RegisterAsync("api", $"i{i}", $"10.0.0.{i}");
            var count = i + 1;
            await UntilAnswerAsync("api", a => a.Count == count);
        }

        using var resumed = WatchReader.Open(_fixture.Client, last);
        var snapshot = await resumed.NextChangeAsync();
        Assert.Equal(V1.SnapshotReason.OutOfHistory, snapshot.Snapshot.Reason);
        Assert.Equal(7, snapshot.Snapshot.Services.Single(s => s.Name == "api").Endpoints.Count);
        Assert.Contains(snapshot.Snapshot.Services, s => s.Name == "ldap");
    }

    [Fact]
    public async Task Idle_streams_get_heartbeats_and_bad_requests_get_their_status_codes()
    {
        using var watch = WatchReader.Open(_fixture.Client);
        var snapshot = await watch.NextAsync();
        var heartbeat = await watch.NextAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(V1.WatchEvent.EventOneofCase.Heartbeat, heartbeat.EventCase);
        Assert.Equal(snapshot.Revision, heartbeat.Revision);

        using var ahead = WatchReader.Open(_fixture.Client, new V1.Revision { Zxid = long.MaxValue / 2 });
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => ahead.NextAsync());
        Assert.Equal(StatusCode.OutOfRange, outOfRange.StatusCode);
        Assert.Contains("ahead of this server's view", outOfRange.Status.Detail, StringComparison.Ordinal);

        using var badName = WatchReader.Open(_fixture.Client, null, "not a name");
        var invalid = await Assert.ThrowsAsync<RpcException>(() => badName.NextAsync());
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
    }

    [Fact]
    public async Task A_thousand_concurrent_watchers_all_receive_the_change()
    {
        const int Watchers = 1000;
        var watches = Enumerable.Range(0, Watchers).Select(_ => WatchReader.Open(_fixture.Client, null, "api")).ToList();
        try
        {
            await Task.WhenAll(watches.Select(w => w.NextChangeAsync()));
            await _fixture.RegisterAsync("api", "i1", "10.0.0.1");
            var events = await Task.WhenAll(watches.Select(w => w.UntilEndpointAsync("i1.api.svc.example.")));
            Assert.All(events, e => Assert.Equal(V1.ChangeKind.ServiceAdded, e[0].Changes.Changes[0].Kind));
        }
        finally
        {
            watches.ForEach(w => w.Dispose());
        }
    }

    private Task UntilAnswerAsync(string service, Func<IReadOnlyList<V1.Endpoint>, bool> condition) =>
        Poll.UntilAsync(
            async ct => condition((await _fixture.Client.ResolveAsync(new V1.ResolveRequest { Name = service }, cancellationToken: ct)).Answer),
            WatchReader.Deadline,
            $"{service}'s answer is as expected");
}
