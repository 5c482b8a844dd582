using System.Net;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.Zones;

namespace Registry.Core.Tests.Merge;

/// <summary>
/// Every rule of DESIGN §5, as a table: declared SRV records and live registrations in, the SRV answer (as
/// "priority weight port target" lines), the mode, the degraded flag and the drift out.
/// </summary>
public class ServiceMergerTests
{
    private const string Zone = "svc.example.";
    private static readonly ServiceName Web = ServiceName.Parse("web");

    public static TheoryData<Case> Cases() =>
    [
        new Case("static: declared, never registered: served exactly as the zone file says")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 20, 5, "10.0.0.2")],
            Registrations = null,
            Mode = ServiceMode.Static,
            Answer = ["10 12 4070 ap1.hosts.svc.example.", "20 5 4070 ap2.hosts.svc.example."],
        },
        new Case("dynamic: registered only: the live instances with generated targets and default priority/weight")
        {
            Registrations = [I("i1", "10.1.0.1", 8080), I("i2", "10.1.0.2", 8080, priority: 5, weight: 50)],
            Mode = ServiceMode.Dynamic,
            Answer = ["5 50 8080 i2.web.svc.example.", "10 10 8080 i1.web.svc.example."],
        },
        new Case("dynamic: nothing running answers nothing")
        {
            Registrations = [],
            Mode = ServiceMode.Dynamic,
            Answer = [],
        },
        new Case("dynamic: drained instances leave the answer")
        {
            Registrations = [I("i1", "10.1.0.1", 8080), I("i2", "10.1.0.2", 8080, status: InstanceStatus.Draining), I("i3", "10.1.0.3", 8080, status: InstanceStatus.OutOfService)],
            Mode = ServiceMode.Dynamic,
            Answer = ["10 10 8080 i1.web.svc.example."],
        },
        new Case("dynamic: a registered hostname is the target, as is an address that is a host name")
        {
            Registrations = [I("i1", "10.1.0.1", 8080, hostname: "Box7.Hosts.Svc.Example."), I("i2", "box8.other.example", 8080)],
            Mode = ServiceMode.Dynamic,
            Answer = ["10 10 8080 box7.hosts.svc.example.", "10 10 8080 box8.other.example."],
        },
        new Case("dynamic: a registration without a port is never answered")
        {
            Registrations = [I("i1", "10.1.0.1", null), I("i2", "10.1.0.2", 9000)],
            Mode = ServiceMode.Dynamic,
            Answer = ["10 10 9000 i2.web.svc.example."],
        },
        new Case("hybrid: declared targets that are live keep their declared priority and weight; down ones are left out")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 10, 12, "10.0.0.2")],
            Registrations = [I("a", "10.0.0.1", 4070)],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
            DeclaredNotRunning = ["ap2.hosts.svc.example."],
        },
        new Case("hybrid: a match by target name works without an address")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12)],
            Registrations = [I("a", null, 4070, hostname: "ap1.hosts.svc.example.")],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
        },
        new Case("hybrid: the port must match too; a live instance on another port is undeclared")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("a", "10.0.0.1", 4071)],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 10 4071 a.web.svc.example."],
            DeclaredNotRunning = ["ap1.hosts.svc.example."],
            RunningUndeclared = ["a"],
        },
        new Case("hybrid: a registration's priority and weight override the declared ones")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("a", "10.0.0.1", 4070, priority: 0, weight: 99)],
            Mode = ServiceMode.Hybrid,
            Answer = ["0 99 4070 ap1.hosts.svc.example."],
        },
        new Case("hybrid: live undeclared instances are accepted by default and reported as drift")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("a", "10.0.0.1", 4070), I("new1", "10.0.9.1", 4070)],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example.", "10 10 4070 new1.web.svc.example."],
            RunningUndeclared = ["new1"],
        },
        new Case("hybrid: the reject policy keeps undeclared instances out of answers, still as drift")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("a", "10.0.0.1", 4070), I("new1", "10.0.9.1", 4070)],
            Policy = new MergePolicy { Undeclared = UndeclaredPolicy.Reject },
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
            RunningUndeclared = ["new1"],
        },
        new Case("hybrid: a drained declared target leaves the answer but is not 'declared-not-running'")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 10, 12, "10.0.0.2")],
            Registrations = [I("a", "10.0.0.1", 4070, status: InstanceStatus.Draining), I("b", "10.0.0.2", 4070)],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap2.hosts.svc.example."],
        },
        new Case("hybrid: panic floor: nothing live serves the declared set, degraded")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 20, 3, "10.0.0.2")],
            Registrations = [],
            Mode = ServiceMode.Hybrid,
            Degraded = true,
            Answer = ["10 12 4070 ap1.hosts.svc.example.", "20 3 4070 ap2.hosts.svc.example."],
            DeclaredNotRunning = ["ap1.hosts.svc.example.", "ap2.hosts.svc.example."],
        },
        new Case("hybrid: panic floor: only drained instances left counts as nothing live")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("a", "10.0.0.1", 4070, status: InstanceStatus.Draining)],
            Mode = ServiceMode.Hybrid,
            Degraded = true,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
        },
        new Case("hybrid: panic serves the file as written: registration overrides and undeclared instances are dropped")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 10, 12, "10.0.0.2"), D("ap3.hosts.svc.example.", 4070, 10, 12, "10.0.0.3"), D("ap4.hosts.svc.example.", 4070, 10, 12, "10.0.0.4")],
            Registrations = [I("a", "10.0.0.1", 4070, weight: 99), I("x", "10.0.9.9", 4070)],
            Policy = new MergePolicy { PanicThreshold = 0.75 },
            Mode = ServiceMode.Hybrid,
            Degraded = true,
            Answer = ["10 12 4070 ap1.hosts.svc.example.", "10 12 4070 ap2.hosts.svc.example.", "10 12 4070 ap3.hosts.svc.example.", "10 12 4070 ap4.hosts.svc.example."],
            DeclaredNotRunning = ["ap2.hosts.svc.example.", "ap3.hosts.svc.example.", "ap4.hosts.svc.example."],
            RunningUndeclared = ["x"],
        },
        new Case("hybrid: at the threshold there is no panic")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 10, 12, "10.0.0.2")],
            Registrations = [I("a", "10.0.0.1", 4070)],
            Policy = new MergePolicy { PanicThreshold = 0.5 },
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
            DeclaredNotRunning = ["ap2.hosts.svc.example."],
        },
        new Case("hybrid: two registrations of one declared target are answered once")
        {
            Declared = [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")],
            Registrations = [I("old", "10.0.0.1", 4070), I("new", "10.0.0.1", 4070)],
            Mode = ServiceMode.Hybrid,
            Answer = ["10 12 4070 ap1.hosts.svc.example."],
        },
        new Case("registrations of another protocol belong to another SRV name")
        {
            Registrations = [I("i1", "10.1.0.1", 53, protocol: "udp"), I("i2", "10.1.0.2", 53)],
            Mode = ServiceMode.Dynamic,
            Answer = ["10 10 53 i2.web.svc.example."],
        },
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merge_follows_the_design_rules(Case c)
    {
        var declared = c.Declared is null ? null : new DeclaredService(Web, "tcp", Zone, c.Declared);
        var merged = ServiceMerger.Merge(Web, "tcp", Zone, declared, c.Registrations, c.Policy);

        Assert.Equal(c.Mode, merged.Mode);
        Assert.Equal(c.Degraded, merged.Degraded);
        Assert.Equal(c.Answer, merged.Answer.Select(e => $"{e.Priority} {e.Weight} {e.Port} {e.Target}"));
        Assert.Equal(c.DeclaredNotRunning, merged.Drift.DeclaredNotRunning.Select(d => d.Target));
        Assert.Equal(c.RunningUndeclared, merged.Drift.RunningUndeclared.Select(i => i.Id));

        // Nothing registered or declared is ever lost from view: every registration and declaration has an endpoint.
        foreach (var registration in (c.Registrations ?? []).Where(r => r.Protocol == "tcp"))
        {
            Assert.Contains(merged.Endpoints, e => ReferenceEquals(e.Instance, registration));
        }

        foreach (var target in c.Declared ?? [])
        {
            Assert.Contains(merged.Endpoints, e => ReferenceEquals(e.Declared, target));
        }
    }

    [Fact]
    public void Endpoints_carry_their_provenance_and_state()
    {
        var declared = new DeclaredService(Web, "tcp", Zone, [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1"), D("ap2.hosts.svc.example.", 4070, 10, 12, "10.0.0.2")]);
        var live = I("a", "10.0.0.1", 4070);
        var drained = I("z", "10.0.7.7", 4070, status: InstanceStatus.Draining);
        var merged = ServiceMerger.Merge(Web, "tcp", Zone, declared, [live, drained]);

        var ap1 = merged.Endpoints.Single(e => e.Target == "ap1.hosts.svc.example.");
        Assert.Equal(EndpointState.Live, ap1.State);
        Assert.Equal("svc.example.zone:12", ap1.Declared!.Source.ToString());
        Assert.Equal("/services/web/a", ap1.Instance!.Source!.Path);
        Assert.Equal([IPAddress.Parse("10.0.0.1")], ap1.Addresses);

        Assert.Equal(EndpointState.Missing, merged.Endpoints.Single(e => e.Target == "ap2.hosts.svc.example.").State);
        var z = merged.Endpoints.Single(e => e.Instance == drained);
        Assert.Equal((EndpointState.Drained, false), (z.State, z.InAnswer));
        Assert.Equal("_web._tcp.svc.example.", merged.SrvName);
    }

    [Fact]
    public void Static_endpoints_are_declared_with_their_zone_addresses()
    {
        var declared = new DeclaredService(Web, "tcp", Zone, [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1", "fd00::1")]);
        var endpoint = Assert.Single(ServiceMerger.Merge(Web, "tcp", Zone, declared, null).Endpoints);
        Assert.Equal(EndpointState.Declared, endpoint.State);
        Assert.Equal([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("fd00::1")], endpoint.Addresses);
    }

    [Fact]
    public void The_result_does_not_depend_on_the_order_registrations_arrive_in()
    {
        var declared = new DeclaredService(Web, "tcp", Zone, [D("ap1.hosts.svc.example.", 4070, 10, 12, "10.0.0.1")]);
        ServiceInstance[] registrations = [I("c", "10.0.0.3", 4070), I("a", "10.0.0.1", 4070), I("b", "10.0.0.2", 4070, priority: 1)];
        var expected = Render(ServiceMerger.Merge(Web, "tcp", Zone, declared, registrations));
        var random = new Random(42);
        for (var i = 0; i < 20; i++)
        {
            var shuffled = registrations.ToArray();
            random.Shuffle(shuffled);
            Assert.Equal(expected, Render(ServiceMerger.Merge(Web, "tcp", Zone, declared, shuffled)));
        }
    }

    [Fact]
    public void A_service_neither_declared_nor_registered_is_a_caller_error() =>
        Assert.Throws<ArgumentException>(() => ServiceMerger.Merge(Web, "tcp", Zone, null, null));

    private static List<string> Render(MergedService merged) =>
        [.. merged.Endpoints.Select(e => $"{e.Priority} {e.Weight} {e.Port} {e.Target} {e.State} {e.InAnswer}")];

    private static DeclaredTarget D(string target, int port, int priority, int weight, params string[] addresses) =>
        new(target, port, priority, weight, 300, [.. addresses.Select(IPAddress.Parse)], new RecordSource("svc.example.zone", 12));

    private static ServiceInstance I(
        string id,
        string? address,
        int? port,
        int? priority = null,
        int? weight = null,
        InstanceStatus status = InstanceStatus.Up,
        string? hostname = null,
        string protocol = "tcp") => new()
        {
            Service = Web,
            Id = id,
            Address = address,
            Port = port,
            Priority = priority,
            Weight = weight,
            Status = status,
            Hostname = hostname,
            Protocol = protocol,
            Source = new ZnodeSource($"/services/web/{id}", 0x1234, 100, 100),
        };

    /// <summary>One row of the table; its name is what a failure shows.</summary>
    public sealed record Case(string Name)
    {
        public IReadOnlyList<DeclaredTarget>? Declared { get; init; }

        public IReadOnlyList<ServiceInstance>? Registrations { get; init; }

        public MergePolicy? Policy { get; init; }

        public ServiceMode Mode { get; init; }

        public bool Degraded { get; init; }

        public IReadOnlyList<string> Answer { get; init; } = [];

        public IReadOnlyList<string> DeclaredNotRunning { get; init; } = [];

        public IReadOnlyList<string> RunningUndeclared { get; init; } = [];

        public override string ToString() => Name;
    }
}
