using System.Net;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Server.Grpc.Watch;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>The delta computation between two views, without a server.</summary>
public sealed class ViewDiffTests
{
    [Fact]
    public void Unchanged_services_cost_nothing_and_give_no_change()
    {
        var web = Service("web", Endpoint("a", 1));
        Assert.Empty(ViewDiff.Diff([web], [web]));
        Assert.Empty(ViewDiff.Diff([web], [Service("web", Endpoint("a", 1))])); // merged again, same content
    }

    [Fact]
    public void Services_added_and_removed_come_whole_in_view_order()
    {
        var changes = ViewDiff.Diff([Service("a"), Service("c")], [Service("b", Endpoint("x", 1)), Service("c")]);
        Assert.Equal([(V1.ChangeKind.ServiceRemoved, "_a._tcp.svc.example."), (V1.ChangeKind.ServiceAdded, "_b._tcp.svc.example.")], changes.Select(c => (c.Change.Kind, c.Change.SrvName)));
        Assert.Single(changes[1].Change.Service.Endpoints);
        Assert.Equal("b", changes[1].Service.Value);
    }

    [Fact]
    public void Endpoints_added_removed_and_changed_are_told_apart_by_target_and_port()
    {
        var before = Service("web", Endpoint("a", 1), Endpoint("b", 1), Endpoint("c", 1));
        var after = Service("web", Endpoint("a", 1), Endpoint("c", 1) with { Weight = 99 }, Endpoint("d", 1));
        var changes = ViewDiff.Diff([before], [after]).Select(c => c.Change).ToList();
        Assert.Equal(
            [(V1.ChangeKind.EndpointRemoved, "b."), (V1.ChangeKind.EndpointChanged, "c."), (V1.ChangeKind.EndpointAdded, "d.")],
            changes.Select(c => (c.Kind, c.Endpoint.Target)));
        Assert.Equal((10, 99), (changes[1].Previous.Weight, changes[1].Endpoint.Weight));
    }

    [Fact]
    public void A_service_whose_flags_change_says_so_without_its_endpoints()
    {
        var before = Service("web", Endpoint("a", 1));
        var after = before with { Degraded = true };
        var change = Assert.Single(ViewDiff.Diff([before], [after])).Change;
        Assert.Equal(V1.ChangeKind.ServiceChanged, change.Kind);
        Assert.True(change.Service.Degraded);
        Assert.Empty(change.Service.Endpoints);
    }

    private static MergedService Service(string name, params Endpoint[] endpoints) =>
        new(ServiceName.Parse(name), "tcp", "svc.example.", ServiceMode.Dynamic, Degraded: false, endpoints, Drift.None);

    private static Endpoint Endpoint(string target, int port) =>
        new($"{target}.", port, 10, 10, [IPAddress.Loopback], EndpointState.Live, InAnswer: true, Declared: null, Instance: null);
}
