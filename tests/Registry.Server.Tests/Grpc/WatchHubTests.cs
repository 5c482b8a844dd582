using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;
using Registry.Server.Grpc.Watch;
using Registry.Server.Views;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>The watch hub without a server: history, resume, and the bound on a slow stream's queue.</summary>
public sealed class WatchHubTests
{
    private readonly LiveView _live = new(ZoneSet.Empty, "svc.example.", MergePolicy.Default, TimeProvider.System);

    [Fact]
    public void A_stream_that_falls_behind_is_flagged_not_buffered_and_restarts_from_the_latest_view()
    {
        var hub = new WatchHub(_live, new WatchOptions { Buffer = 2 }, NullLogger<WatchHub>.Instance);
        var (subscription, start) = hub.Subscribe(null);
        Assert.True(start.IsSnapshot);

        for (var zxid = 1; zxid <= 5; zxid++)
        {
            PublishRegistrations(hub, zxid);
        }

        Assert.True(subscription.Overflowed);
        Assert.Equal(2, subscription.Reader.Count);
        var restart = hub.Resync(subscription);
        Assert.Equal(5, restart.Revision.Zxid);
        Assert.False(subscription.Overflowed);
        Assert.Equal(0, subscription.Reader.Count);
    }

    [Fact]
    public void Resuming_within_the_history_gives_the_missed_publications_and_beyond_it_a_snapshot_or_out_of_range()
    {
        var hub = new WatchHub(_live, new WatchOptions { History = 4 }, NullLogger<WatchHub>.Instance);
        var revisions = new List<ViewRevision>();
        for (var zxid = 1; zxid <= 6; zxid++)
        {
            revisions.Add(PublishRegistrations(hub, zxid));
        }

        var (_, resumed) = hub.Subscribe(revisions[3]);
        Assert.Equal([5L, 6L], resumed.Backlog!.Select(p => p.Revision.Zxid));
        var (_, current) = hub.Subscribe(revisions[5]);
        Assert.Empty(current.Backlog!);
        var (_, old) = hub.Subscribe(revisions[0]);
        Assert.Equal(V1.SnapshotReason.OutOfHistory, old.Reason);
        var ahead = Assert.Throws<RpcException>(() => hub.Subscribe(new ViewRevision(99, 0, 0)));
        Assert.Equal(StatusCode.OutOfRange, ahead.StatusCode);
    }

    /// <summary>A new registration state with one more instance of <c>api</c>, published to the hub as its loop would.</summary>
    private ViewRevision PublishRegistrations(WatchHub hub, int zxid)
    {
        var before = _live.Current;
        var instances = Enumerable.Range(1, zxid).Select(i => new ServiceInstance { Service = ServiceName.Parse("api"), Id = $"i{i}", Address = $"10.0.0.{i}", Port = 80 }).ToList();
        _live.SetRegistrations(new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>> { [ServiceName.Parse("api")] = instances }, zxid), stale: false);
        hub.Publish(before, _live.Current);
        return _live.Current.Revision;
    }
}
