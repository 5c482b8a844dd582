using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;

namespace Registry.Core.Tests.View;

public sealed class ViewSnapshotTests : IDisposable
{
    private const string Default = "svc.example.";

    private const string SvcZone = """
        $TTL 300
        @     IN SOA ns hostmaster 100 3600 600 86400 60
              IN NS  ns
        ns    IN A   192.0.2.53
        _web._tcp    SRV 10 50 8080 ap1
                     SRV 10 50 8080 ap2
        _legacy._tcp SRV 10 10 25 mail
        ap1   IN A   10.0.0.1
        ap2   IN A   10.0.0.2
        mail  IN A   10.0.0.25
        """;

    private const string OtherZone = """
        $TTL 300
        @     IN SOA ns hostmaster 7 3600 600 86400 60
              IN NS  ns
        ns    IN A   192.0.2.54
        _web._tcp SRV 10 10 8080 ap9
        ap9   IN A   10.9.0.9
        """;

    private static readonly ServiceName Web = ServiceName.Parse("web");
    private static readonly ServiceName Api = ServiceName.Parse("api");
    private static readonly ServiceName Idle = ServiceName.Parse("idle");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "registry-view-" + Guid.NewGuid().ToString("N"));

    public ViewSnapshotTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Static_hybrid_and_dynamic_services_are_all_listed_in_zone_name_protocol_order()
    {
        var view = Build(Zones(), State(42));

        Assert.Equal(
            [
                "_web._tcp.other.example. Static",
                "_api._tcp.svc.example. Dynamic",
                "_api._udp.svc.example. Dynamic",
                "_idle._tcp.svc.example. Dynamic",
                "_legacy._tcp.svc.example. Static",
                "_web._tcp.svc.example. Hybrid",
            ],
            view.Services.Select(s => $"{s.SrvName} {s.Mode}"));
        Assert.Equal(6, view.ServiceCount);
        Assert.Equal(3, view.InstanceCount);
    }

    [Fact]
    public void Hybrid_service_answers_its_live_declared_targets()
    {
        var view = Build(Zones(), State(42));

        Assert.True(view.TryGetService(Web, "tcp", out var web));
        Assert.Equal(ServiceMode.Hybrid, web.Mode);
        Assert.Equal(["ap1.svc.example."], web.Answer.Select(e => e.Target));
        Assert.Equal(["ap2.svc.example."], web.Drift.DeclaredNotRunning.Select(t => t.Target));
    }

    [Fact]
    public void A_service_declared_in_another_zone_ignores_registrations()
    {
        var view = Build(Zones(), State(42));

        var other = view.FindBySrvName("_web._tcp.other.example.");
        Assert.NotNull(other);
        Assert.Equal(ServiceMode.Static, other.Mode);
        Assert.Equal(["ap9.other.example."], other.Answer.Select(e => e.Target));
        Assert.All(other.Endpoints, e => Assert.Null(e.Instance));
    }

    [Fact]
    public void A_registered_service_with_two_protocols_gives_two_services()
    {
        var view = Build(Zones(), State(42));

        Assert.True(view.TryGetService(Api, "tcp", out var tcp));
        Assert.True(view.TryGetService(Api, "UDP", out var udp));
        Assert.Equal(["i1.api.svc.example."], tcp.Answer.Select(e => e.Target));
        Assert.Equal(["i2.api.svc.example."], udp.Answer.Select(e => e.Target));
        Assert.Equal(5353, Assert.Single(udp.Answer).Port);
    }

    [Fact]
    public void An_existing_node_without_instances_is_listed_dynamic_and_empty()
    {
        var view = Build(Zones(), State(42));

        Assert.True(view.TryGetService(Idle, "tcp", out var idle));
        Assert.Equal(ServiceMode.Dynamic, idle.Mode);
        Assert.Empty(idle.Endpoints);
        Assert.Equal(Default, idle.Zone);
    }

    [Fact]
    public void A_declared_service_with_an_empty_node_is_not_listed_twice_and_panics_to_its_declared_set()
    {
        var state = new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>> { [Web] = [] }, 3);

        var view = Build(Zones(), state);

        var web = Assert.Single(view.Services, s => s.Service == Web && s.Zone == Default);
        Assert.Equal(ServiceMode.Hybrid, web.Mode);
        Assert.True(web.Degraded);
        Assert.Same(web, Assert.Single(view.Degraded));
    }

    [Fact]
    public void Without_zone_files_registrations_are_published_in_the_default_zone()
    {
        var view = Build(ZoneSet.Empty, State(42), defaultZone: "Dyn.Example");

        Assert.Equal("dyn.example.", view.DefaultZone);
        Assert.All(view.Services, s => Assert.Equal(ServiceMode.Dynamic, s.Mode));
        Assert.True(view.TryGetService(Web, "tcp", out var web));
        Assert.Equal(["a.web.dyn.example."], web.Answer.Select(e => e.Target));
        Assert.Equal(["dyn.example."], view.Origins);
        Assert.Equal(1u, view.Serial("dyn.example"));
    }

    [Theory]
    [InlineData("_web._tcp.svc.example.")]
    [InlineData("_WEB._TCP.SVC.EXAMPLE.")]
    [InlineData("_Web._Tcp.Svc.Example")]
    public void Lookup_by_srv_name_is_case_insensitive_and_the_trailing_dot_optional(string name)
    {
        var view = Build(Zones(), State(42));

        var web = view.FindBySrvName(name);

        Assert.NotNull(web);
        Assert.Equal("_web._tcp.svc.example.", web.SrvName);
        Assert.Null(view.FindBySrvName("_nope._tcp.svc.example."));
        Assert.Null(view.FindBySrvName(""));
    }

    [Fact]
    public void Metrics_count_endpoints_in_answers()
    {
        var view = Build(Zones(), State(42));

        // web (ap1) + legacy (mail) + other web (ap9) + api tcp + api udp.
        Assert.Equal(5, view.EndpointCount);
        Assert.Empty(view.Degraded);
        Assert.False(view.Stale);
        Assert.True(Build(Zones(), State(42), stale: true).Stale);
    }

    [Fact]
    public void Equal_inputs_give_equal_revisions_whatever_the_insertion_order()
    {
        var forward = State(42);
        var backward = new RegistrationState(forward.Services.Reverse().ToDictionary(p => p.Key, p => (IReadOnlyList<ServiceInstance>)[.. p.Value.Reverse()]), 42);

        var a = Build(Zones(), forward);
        var b = Build(Zones(), backward);

        Assert.Equal(a.Revision, b.Revision);
        Assert.Equal(a.Revision.ToString(), b.Revision.ToString());
        Assert.Equal(a.Services.Select(s => s.SrvName), b.Services.Select(s => s.SrvName));
        Assert.Equal(a.Serial(Default), b.Serial(Default));
    }

    [Fact]
    public void Revision_grows_with_the_zxid_and_with_bumped_zone_serials()
    {
        var first = Build(Zones(), State(42));
        var later = Build(Zones(), State(43));
        var bumped = Build(Zones(svc: SvcZone.Replace(" 100 ", " 101 ", StringComparison.Ordinal)), State(42));
        var edited = Build(Zones(svc: SvcZone.Replace("192.0.2.53", "192.0.2.99", StringComparison.Ordinal)), State(42));

        Assert.True(later.Revision > first.Revision);
        Assert.True(bumped.Revision > first.Revision);
        Assert.True(later.Revision > bumped.Revision);

        // An edit without a serial bump is a different state, hence a different (if unordered-in-time) revision.
        Assert.NotEqual(first.Revision, edited.Revision);
        Assert.Equal(first.Revision.ZoneSerials, edited.Revision.ZoneSerials);
    }

    [Fact]
    public void Revision_has_a_compact_form_that_parses_back()
    {
        var revision = new ViewRevision(0x1a2b, 0x6b, 0x3f9c01d2);

        Assert.Equal("zxid:0x1a2b/zones:6b.3f9c01d2", revision.ToString());
        Assert.True(ViewRevision.TryParse(revision.ToString(), out var parsed));
        Assert.Equal(revision, parsed);
        Assert.False(ViewRevision.TryParse("zxid:12/zones:1.2", out _));
        Assert.False(ViewRevision.TryParse(null, out _));
        Assert.Equal(ViewRevision.Zero, ViewSnapshot.Empty.Revision);
    }

    [Fact]
    public void First_snapshot_publishes_the_declared_serials()
    {
        var view = Build(Zones(), State(42));

        Assert.Equal(["other.example.", "svc.example."], view.Origins);
        Assert.Equal(100u, view.Serial(Default));
        Assert.Equal(7u, view.Serial("OTHER.example"));
        Assert.Throws<ArgumentException>(() => view.Serial("nope.example."));
    }

    [Fact]
    public void Serial_stays_for_unchanged_answers_and_grows_for_changed_ones()
    {
        var first = Build(Zones(), State(42));

        // A new zxid that changes nothing the zone answers (a drained instance's metadata, say) keeps the serial.
        var same = Build(Zones(), State(43), previous: first);
        Assert.Equal(100u, same.Serial(Default));
        Assert.Equal(7u, same.Serial("other.example."));

        // ap2 comes up: the default zone's answer changes, the other zone's does not.
        var changed = Build(Zones(), State(44, extraWeb: Instance(Web, "b", "10.0.0.2", 8080)), previous: same);
        Assert.Equal(101u, changed.Serial(Default));
        Assert.Equal(7u, changed.Serial("other.example."));

        // An author's bump past the published serial is taken as is.
        var bumped = Build(Zones(other: OtherZone.Replace(" 7 ", " 2024010100 ", StringComparison.Ordinal)), State(44, extraWeb: Instance(Web, "b", "10.0.0.2", 8080)), previous: changed);
        Assert.Equal(101u, bumped.Serial(Default));
        Assert.Equal(2024010100u, bumped.Serial("other.example."));
    }

    [Fact]
    public void Serials_restored_from_an_earlier_run_are_bumped_once_and_never_go_back()
    {
        // The last run published 150 for svc.example (above the file's 100) and 3 for other.example (below its 7).
        var restored = new Dictionary<string, uint> { ["SVC.example"] = 150, ["other.example."] = 3 };

        var first = new ViewSnapshot(Zones(), State(42), Default, MergePolicy.Default, stale: false, restoredSerials: restored);

        Assert.Equal(151u, first.Serial(Default));
        Assert.Equal(7u, first.Serial("other.example."));

        // Only the first snapshot of a zone is seeded; the next ones follow their previous snapshot as always.
        var same = new ViewSnapshot(Zones(), State(43), Default, MergePolicy.Default, stale: false, first, restoredSerials: restored);
        Assert.Equal(151u, same.Serial(Default));
    }

    [Fact]
    public void Serial_grows_when_a_zone_edit_forgot_its_serial_bump()
    {
        var first = Build(Zones(), State(42));

        // Only rdata changes, and in a record no service uses: still a change of what the zone answers.
        var edited = Build(Zones(svc: SvcZone.Replace("192.0.2.53", "192.0.2.99", StringComparison.Ordinal)), State(42), previous: first);

        Assert.Equal(101u, edited.Serial(Default));
    }

    [Theory]
    [InlineData(1u, 0u, true)]
    [InlineData(0u, 0xFFFFFFFFu, true)] // wraps at 2^32
    [InlineData(5u, 0xFFFFFFF0u, true)]
    [InlineData(0x7FFFFFFFu, 0u, true)] // distance 2^31 - 1: greater
    [InlineData(0x80000000u, 0u, false)] // distance 2^31: undefined, so not greater
    [InlineData(0u, 0x80000000u, false)] // either way
    [InlineData(0x80000001u, 0u, false)] // distance > 2^31: it is the smaller one
    [InlineData(0u, 0x80000001u, true)]
    [InlineData(7u, 7u, false)]
    public void Serials_compare_in_rfc1982_arithmetic(uint s1, uint s2, bool greater) =>
        Assert.Equal(greater, ViewSnapshot.IsSerialGreater(s1, s2));

    [Theory]
    [InlineData(100u, 100u, 101u)] // unchanged declaration: one more
    [InlineData(100u, 5u, 101u)] // declared behind: one more than published
    [InlineData(100u, 2024010100u, 2024010100u)] // declared ahead: the author's serial
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu, 0u)] // wraps past 2^32 - 1 to 0, which RFC 1982 orders after
    [InlineData(0xFFFFFFFFu, 3u, 3u)] // 3 is ahead of 2^32 - 1
    [InlineData(0xFFFFFFF0u, 0xFFFFFF00u, 0xFFFFFFF1u)]
    [InlineData(0u, 0x7FFFFFFFu, 0x7FFFFFFFu)] // 2^31 - 1 ahead: still greater
    public void Next_serial_is_greater_than_the_previous_and_the_declared(uint previous, uint declared, uint expected)
    {
        var next = ViewSnapshot.NextSerial(previous, declared);

        Assert.Equal(expected, next);
        Assert.True(ViewSnapshot.IsSerialGreater(next, previous));
        Assert.True(next == declared || ViewSnapshot.IsSerialGreater(next, declared));
    }

    [Fact]
    public void Next_serial_favours_the_previous_when_no_serial_is_greater_than_both()
    {
        // previous is 2^31 ahead of declared: they are incomparable, and nothing is greater than both.
        var next = ViewSnapshot.NextSerial(0x80000000u, 0u);

        Assert.Equal(0x80000001u, next);
        Assert.True(ViewSnapshot.IsSerialGreater(next, 0x80000000u));
    }

    [Fact]
    public void Empty_has_nothing()
    {
        var empty = ViewSnapshot.Empty;

        Assert.Empty(empty.Services);
        Assert.Empty(empty.Origins);
        Assert.Equal(0, empty.EndpointCount);
        Assert.False(empty.TryGetService(Web, "tcp", out _));
    }

    private ViewSnapshot Build(ZoneSet zones, RegistrationState state, string defaultZone = Default, bool stale = false, ViewSnapshot? previous = null) =>
        new(zones, state, defaultZone, MergePolicy.Default, stale, previous);

    private ZoneSet Zones(string svc = SvcZone, string other = OtherZone)
    {
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "svc.example.zone"), svc);
        File.WriteAllText(Path.Combine(directory, "other.example.zone"), other);
        return ZoneLoader.Load(directory);
    }

    private static RegistrationState State(long zxid, ServiceInstance? extraWeb = null)
    {
        IReadOnlyList<ServiceInstance> web = extraWeb is null ? [Instance(Web, "a", "10.0.0.1", 8080)] : [Instance(Web, "a", "10.0.0.1", 8080), extraWeb];
        return new RegistrationState(
            new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>
            {
                [Web] = web,
                [Api] = [Instance(Api, "i1", "10.1.0.1", 9000), Instance(Api, "i2", "10.1.0.2", 5353, "udp")],
                [Idle] = [],
            },
            zxid);
    }

    private static ServiceInstance Instance(ServiceName service, string id, string address, int port, string protocol = "tcp") =>
        new() { Service = service, Id = id, Address = address, Port = port, Protocol = protocol };
}
