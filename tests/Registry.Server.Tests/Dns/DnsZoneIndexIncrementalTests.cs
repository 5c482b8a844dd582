using System.Globalization;
using ARSoft.Tools.Net;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// The incremental build against the full one: random registration changes, and after each the index made from the
/// previous index must equal a full build of the same snapshot, node for node, RRset for RRset, record for record.
/// </summary>
/// <remarks>
/// Compared in order within a node (RRset order decides minimal ANY, record order is the answer order BIND gives)
/// and without order across nodes (a dictionary's order means nothing to any answer).
/// </remarks>
public sealed class DnsZoneIndexIncrementalTests : IDisposable
{
    private const int Ttl = 7;

    /// <summary>A reverse zone with a zone-file PTR at 10.0.0.1 (which the PTR of a registration must not join).</summary>
    private const string ReverseZone = """
        $ORIGIN 0.0.10.in-addr.arpa.
        $TTL 600
        @  IN SOA ns1.svc.example. hostmaster.svc.example. ( 3 3600 600 1209600 60 )
           IN NS  ns1.svc.example.
        1  IN PTR ap1.hosts.svc.example.
        """;

    private static readonly DnsAnswerOptions Options = new() { DynamicTtl = Ttl };

    // web is declared (hybrid, panics when nothing live); info and alias have zone-file records at <service>.<zone>;
    // hosts is an empty non-terminal of the zone file; api, db, cache are dynamic.
    private static readonly ServiceName[] Services = [.. new[] { "web", "api", "db", "cache", "info", "alias", "hosts" }.Select(ServiceName.Parse)];

    private static readonly string[] Addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.1.9", "2001:db8::7", "192.0.2.77"];

    // Shared hosts, a host the zone file has (its A wins), one making new empty non-terminals, and one outside.
    private static readonly string?[] Hostnames = [null, null, null, "shared.hosts.svc.example.", "ap1.hosts.svc.example.", "h.deep.sub2.svc.example.", "far.elsewhere.example.", "api.svc.example."];

    private readonly DnsTestView _test = new();

    public void Dispose() => _test.Dispose();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Every_incremental_index_equals_a_full_build_of_its_snapshot(int seed)
    {
        var random = new Random(seed);
        var zones = _test.Zones(("svc.example.zone", SvcZone), ("other.example.zone", OtherZone), ("reverse.zone", ReverseZone));
        var registrations = new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>();
        var view = View(zones, new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>(registrations), 1));
        var index = DnsZoneIndex.Build(view, Options);
        var incremental = 0;
        bool panic = false, pointers = false, emptyNonTerminals = false;
        for (var step = 0; step < 150; step++)
        {
            Mutate(random, registrations);
            view = View(zones, new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>(registrations), step + 2), previous: view);

            var updated = DnsZoneIndex.Update(index, view, Options);
            var full = DnsZoneIndex.Build(view, Options);

            Assert.Equal(Describe(full), Describe(updated));
            if (updated.ChangedNames is { } changed)
            {
                incremental++;
                Assert.Equal(index.Generation, updated.BaseGeneration);
                Assert.Equal(Differences(index, updated).Distinct().Order(StringComparer.Ordinal), changed.Select(Key).Order(StringComparer.Ordinal));
                pointers |= changed.Any(name => Key(name).EndsWith(".in-addr.arpa.", StringComparison.Ordinal));
                emptyNonTerminals |= changed.Any(name => Key(name).StartsWith("deep.", StringComparison.Ordinal));
            }

            panic |= view.Degraded.Count > 0;
            index = updated;
        }

        // The cases the sequence is meant to reach were reached.
        Assert.True(panic && pointers && emptyNonTerminals, $"panic {panic}, PTR {pointers}, empty non-terminals {emptyNonTerminals}");

        // The property is about the incremental path: it must be the one taken.
        Assert.True(incremental > 140, $"only {incremental} of 150 updates were incremental");
    }

    [Fact]
    public void Changed_names_are_those_of_the_changed_service_and_the_apex_of_its_zone()
    {
        var zones = _test.DefaultZones();
        var api = Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000)]), (Web, [Instance(Web, "a", "10.0.0.1", 4070)]));
        var first = View(zones, api);
        var second = View(zones, new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>(api.Services) { [Api] = [Instance(Api, "i2", "10.1.0.2", 9000)] }, 6), previous: first);
        var index = DnsZoneIndex.Build(first, Options);

        var updated = DnsZoneIndex.Update(index, second, Options);

        Assert.Null(index.ChangedNames);
        Assert.Equal(
            ["_api._tcp.svc.example.", "api.svc.example.", "i1.api.svc.example.", "i2.api.svc.example.", "svc.example."],
            updated.ChangedNames!.Select(n => n.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_zone_reload_is_a_full_build()
    {
        var first = View(_test.DefaultZones());
        var second = View(_test.DefaultZones(), previous: first);

        var updated = DnsZoneIndex.Update(DnsZoneIndex.Build(first, Options), second, Options);

        Assert.Null(updated.ChangedNames);
        Assert.Equal(0, updated.BaseGeneration);
    }

    private static void Mutate(Random random, Dictionary<ServiceName, IReadOnlyList<ServiceInstance>> registrations)
    {
        var service = Services[random.Next(Services.Length)];
        switch (random.Next(6))
        {
            case 0:
                registrations.Remove(service);
                break;
            case 1:
                registrations[service] = [];
                break;
            case 2 or 3 when registrations.TryGetValue(service, out var instances) && instances.Count > 0:
                // One instance changes (address, status, port, protocol), the others stay the same objects.
                var at = random.Next(instances.Count);
                registrations[service] = [.. instances.Select((instance, i) => i == at ? RandomInstance(random, service, instance.Id) : instance)];
                break;
            default:
                registrations[service] = [.. Enumerable.Range(0, random.Next(1, 5)).Select(i => RandomInstance(random, service, $"i{i}"))];
                break;
        }
    }

    private static ServiceInstance RandomInstance(Random random, ServiceName service, string id) => new()
    {
        Service = service,
        Id = id,
        Address = Addresses[random.Next(Addresses.Length)],
        Port = random.Next(3) == 0 ? 4070 : 9000 + random.Next(3),
        Status = random.Next(4) == 0 ? InstanceStatus.Draining : InstanceStatus.Up,
        Hostname = Hostnames[random.Next(Hostnames.Length)],
        Protocol = random.Next(5) == 0 ? "udp" : "tcp",
    };

    /// <summary>Everything an index serves, as sorted text: zones (SOA, flags) and every node with its RRsets in order.</summary>
    private static string[] Describe(DnsZoneIndex index)
    {
        var zones = index.Zones.Select(z => $"zone {Key(z.Origin)} {z.Soa} | {z.NegativeSoa} | {string.Join(", ", z.NameServers.Select(r => r.ToString()))} file={z.HasZoneFile} cuts={z.HasDelegations} wild={z.HasWildcards}");
        var nodes = index.AllNodes.Select(node =>
        {
            // A node names its zone by origin (its instance may be an earlier index's, with an older SOA: nothing reads it).
            return $"{Key(node.Name)} in {Key(node.Zone.Origin)}: "
                + string.Join(" / ", node.SetsByType.Select(s => $"{s.Type} [{string.Join("; ", s.Records.Select(r => r.ToString()))}]"));
        });
        return [.. zones.Concat(nodes).Order(StringComparer.Ordinal)];
    }

    /// <summary>The names whose nodes differ between two indexes (present in one only, or other content).</summary>
    private static IEnumerable<string> Differences(DnsZoneIndex before, DnsZoneIndex after)
    {
        var old = before.AllNodes.ToDictionary(n => Key(n.Name), Content);
        var now = after.AllNodes.ToDictionary(n => Key(n.Name), Content);
        foreach (var name in old.Keys.Union(now.Keys))
        {
            if (!old.TryGetValue(name, out var a) || !now.TryGetValue(name, out var b) || a != b)
            {
                yield return name;
            }
        }

        foreach (var zone in after.Zones)
        {
            if (before.Zones.Single(z => z.Origin.Equals(zone.Origin)).Soa.SerialNumber != zone.Soa.SerialNumber)
            {
                yield return Key(zone.Origin);
            }
        }

        static string Content(DnsNode node) => string.Join(" / ", node.SetsByType.Select(s => $"{s.Type} [{string.Join("; ", s.Records.Select(r => r.ToString()))}]"));
    }

    private static string Key(DomainName name) => name.ToString().ToLower(CultureInfo.InvariantCulture);
}
