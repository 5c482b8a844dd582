using System.Collections.Immutable;
using System.Globalization;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;

namespace Registry.Core.Tests.View;

/// <summary>
/// A snapshot built from the previous one (reusing every service whose inputs did not change) must equal one built
/// from scratch: same services, answers, drift, counts, revision and serials, over random sequences of changes.
/// </summary>
public sealed class ViewSnapshotIncrementalTests : IDisposable
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
        _dns._udp    SRV 0 0 53 dns1
        ap1   IN A   10.0.0.1
        ap2   IN A   10.0.0.2
        mail  IN A   10.0.0.25
        dns1  IN A   10.0.0.53
        """;

    private const string OtherZone = """
        $TTL 300
        @     IN SOA ns hostmaster 7 3600 600 86400 60
              IN NS  ns
        ns    IN A   192.0.2.54
        _web._tcp SRV 10 10 8080 ap9
        ap9   IN A   10.9.0.9
        """;

    private static readonly ServiceName[] Names = [.. new[] { "web", "api", "dns", "legacy", "idle", "s1", "s2", "s3" }.Select(ServiceName.Parse)];
    private static readonly string[] Addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.53", "10.0.0.7", "10.0.0.8", "ap1.svc.example"];
    private static readonly int[] Ports = [8080, 53, 9000];
    private static readonly MergePolicy Strict = new() { Undeclared = UndeclaredPolicy.Reject, PanicThreshold = 0.5 };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "registry-view-inc-" + Guid.NewGuid().ToString("N"));

    public ViewSnapshotIncrementalTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_changes_applied_incrementally_give_what_a_build_from_scratch_gives(int seed)
    {
        var random = new Random(seed);
        var svcText = SvcZone;
        var zones = Load(svcText);
        var policy = MergePolicy.Default;
        var instances = ImmutableDictionary<ServiceName, ImmutableSortedDictionary<string, ServiceInstance>>.Empty;
        var lists = ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>>.Empty;
        ViewSnapshot? incremental = null;
        ViewSnapshot? scratch = null;
        var reused = 0;

        for (var step = 0; step < 300; step++)
        {
            var zonesChanged = false;
            var policyChanged = false;
            var touched = new HashSet<ServiceName>();
            var roll = random.Next(100);
            if (roll < 45 || roll >= 97)
            {
                // Upserts; now and then several services in one batch, as the watcher publishes a batch at once.
                for (var n = roll >= 97 ? 3 : 1; n > 0; n--)
                {
                    var service = Names[random.Next(Names.Length)];
                    var instance = RandomInstance(random, service);
                    var current = instances.GetValueOrDefault(service) ?? ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal);
                    instances = instances.SetItem(service, current.SetItem(instance.Id, instance));
                    touched.Add(service);
                }
            }
            else if (roll < 70)
            {
                var populated = instances.Where(p => !p.Value.IsEmpty).ToList();
                if (populated.Count > 0)
                {
                    var (service, ids) = populated[random.Next(populated.Count)];
                    instances = instances.SetItem(service, ids.Remove(ids.Keys.ElementAt(random.Next(ids.Count))));
                    touched.Add(service);
                }
            }
            else if (roll < 78)
            {
                var service = Names[random.Next(Names.Length)];
                instances = instances.Remove(service);
                touched.Add(service);
            }
            else if (roll < 85)
            {
                var service = Names[random.Next(Names.Length)];
                if (!instances.ContainsKey(service))
                {
                    instances = instances.SetItem(service, ImmutableSortedDictionary.Create<string, ServiceInstance>(StringComparer.Ordinal));
                    touched.Add(service);
                }
            }
            else if (roll < 91)
            {
                // Nothing registered changed: a new zxid only.
            }
            else if (roll < 95)
            {
                svcText = random.Next(3) switch
                {
                    0 => svcText,
                    1 => svcText.Replace(" 100 3600", " 101 3600", StringComparison.Ordinal),
                    _ => svcText.Contains("192.0.2.53", StringComparison.Ordinal)
                        ? svcText.Replace("192.0.2.53", "192.0.2.99", StringComparison.Ordinal)
                        : svcText.Replace("192.0.2.99", "192.0.2.53", StringComparison.Ordinal),
                };
                zones = Load(svcText);
                zonesChanged = true;
            }
            else
            {
                policy = ReferenceEquals(policy, Strict) ? MergePolicy.Default : Strict;
                policyChanged = true;
            }

            // As the watcher does: only the lists of the services a batch touched are new objects.
            foreach (var service in touched)
            {
                lists = instances.TryGetValue(service, out var ids)
                    ? lists.SetItem(service, ids.Values.ToImmutableArray())
                    : lists.Remove(service);
            }

            var state = new RegistrationState(lists, 1000 + step);
            var stale = random.Next(10) == 0;
            var before = incremental;
            incremental = new ViewSnapshot(zones, state, Default, policy, stale, incremental);

            // From scratch: zones loaded again and every list copied, so that nothing is the same object as before.
            var copy = new RegistrationState(lists.ToDictionary(p => p.Key, p => (IReadOnlyList<ServiceInstance>)new List<ServiceInstance>(p.Value)), state.Zxid);
            scratch = new ViewSnapshot(Load(svcText), copy, Default, policy, stale, scratch);
            var alone = new ViewSnapshot(Load(svcText), copy, Default, policy, stale);

            Assert.Equal(Render(scratch), Render(incremental));
            Assert.Equal(RenderServices(alone), RenderServices(incremental));
            Assert.Equal(alone.Revision, incremental.Revision);
            foreach (var service in scratch.Services)
            {
                Assert.Equal(Render(service), Render(incremental.FindBySrvName(service.SrvName)!));
            }

            foreach (var name in Names)
            {
                foreach (var protocol in new[] { "tcp", "udp" })
                {
                    Assert.Equal(scratch.TryGetService(name, protocol, out var expected), incremental.TryGetService(name, protocol, out var actual));
                    Assert.Equal(expected is null ? null : Render(expected), actual is null ? null : Render(actual));
                }
            }

            // And the build was incremental: a service none of whose inputs changed is the same object as before.
            if (before is not null && !zonesChanged && !policyChanged)
            {
                foreach (var service in before.Services.Where(s => !touched.Contains(s.Service)))
                {
                    Assert.Same(service, incremental.FindBySrvName(service.SrvName));
                    reused++;
                }
            }
        }

        Assert.True(reused > 100, $"only {reused} services were reused");
    }

    [Fact]
    public void A_change_to_one_service_leaves_the_others_and_other_zones_serials_alone()
    {
        var zones = Load(SvcZone);
        var web = ServiceName.Parse("web");
        var api = ServiceName.Parse("api");
        var state = new RegistrationState(
            ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>>.Empty
                .Add(web, [Instance(web, "a", "10.0.0.1", 8080)])
                .Add(api, [Instance(api, "i1", "10.1.0.1", 9000)]),
            1);
        var first = new ViewSnapshot(zones, state, Default, MergePolicy.Default, stale: false);

        var next = state with { Services = ((ImmutableDictionary<ServiceName, IReadOnlyList<ServiceInstance>>)state.Services).SetItem(api, [Instance(api, "i2", "10.1.0.2", 9000)]), Zxid = 2 };
        var second = new ViewSnapshot(zones, next, Default, MergePolicy.Default, stale: false, first);

        Assert.Same(first.FindBySrvName("_web._tcp.svc.example."), second.FindBySrvName("_web._tcp.svc.example."));
        Assert.Same(first.FindBySrvName("_web._tcp.other.example."), second.FindBySrvName("_web._tcp.other.example."));
        Assert.NotSame(first.FindBySrvName("_api._tcp.svc.example."), second.FindBySrvName("_api._tcp.svc.example."));
        Assert.Equal(101u, second.Serial(Default));
        Assert.Equal(7u, second.Serial("other.example."));

        // Nothing changed but the zxid and the stale flag: the same services, the same serials.
        var third = new ViewSnapshot(zones, next with { Zxid = 3 }, Default, MergePolicy.Default, stale: true, second);
        Assert.Same(second.Services, third.Services);
        Assert.Equal(101u, third.Serial(Default));
        Assert.Equal(3, third.Revision.Zxid);
    }

    private ZoneSet Load(string svc)
    {
        var directory = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "svc.example.zone"), svc);
        File.WriteAllText(Path.Combine(directory, "other.example.zone"), OtherZone);
        return ZoneLoader.Load(directory);
    }

    private static ServiceInstance RandomInstance(Random random, ServiceName service) => new()
    {
        Service = service,
        Id = "i" + random.Next(6).ToString(CultureInfo.InvariantCulture),
        Address = Addresses[random.Next(Addresses.Length)],
        Port = random.Next(8) == 0 ? null : Ports[random.Next(Ports.Length)],
        Protocol = random.Next(4) == 0 ? "udp" : "tcp",
        Status = random.Next(5) == 0 ? InstanceStatus.Draining : InstanceStatus.Up,
        Priority = random.Next(3) == 0 ? random.Next(20) : null,
        Weight = random.Next(3) == 0 ? random.Next(100) : null,
    };

    private static ServiceInstance Instance(ServiceName service, string id, string address, int port) =>
        new() { Service = service, Id = id, Address = address, Port = port };

    private static List<string> Render(ViewSnapshot view) =>
    [
        $"default {view.DefaultZone} stale {view.Stale} revision {view.Revision}",
        $"counts {view.ServiceCount} {view.InstanceCount} {view.EndpointCount}",
        $"degraded {string.Join(' ', view.Degraded.Select(s => s.SrvName))}",
        .. view.Origins.Select(origin => $"serial {origin} {view.Serial(origin)}"),
        .. RenderServices(view),
    ];

    private static List<string> RenderServices(ViewSnapshot view) => [.. view.Services.Select(Render)];

    private static string Render(MergedService service) =>
        $"{service.SrvName} {service.Mode} degraded={service.Degraded} "
        + $"[{string.Join("; ", service.Endpoints.Select(e => $"{e.Target}:{e.Port} p{e.Priority} w{e.Weight} {string.Join(',', e.Addresses)} {e.State} {e.InAnswer} d={e.Declared?.Target} i={e.Instance?.Id}"))}] "
        + $"missing=[{string.Join(' ', service.Drift.DeclaredNotRunning.Select(t => t.Target))}] undeclared=[{string.Join(' ', service.Drift.RunningUndeclared.Select(i => i.Id))}]";
}
