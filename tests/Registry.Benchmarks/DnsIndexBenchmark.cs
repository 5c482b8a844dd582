using System.Diagnostics;
using System.Globalization;
using System.Text;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;
using Registry.Server.Dns;

namespace Registry.Benchmarks;

/// <summary>
/// The DNS index: a full build of a snapshot vs an incremental one from the previous snapshot's index when one
/// service's registrations changed (what the facade does on every view change). In process, no ZooKeeper.
/// </summary>
internal static class DnsIndexBenchmark
{
    private const string Zone = "bench.example.";

    public static int Run(IReadOnlyList<string> args)
    {
        var services = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var rounds = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var directory = Path.Combine(Path.GetTempPath(), "registry-dns-index-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "bench.zone"), ZoneText(services));
            var zones = ZoneLoader.Load(directory);
            var options = new DnsAnswerOptions();
            var registrations = Enumerable.Range(0, services).ToDictionary(
                i => ServiceName.Parse($"s{i}"),
                i => (IReadOnlyList<ServiceInstance>)[Instance(i, 0, 1), Instance(i, 1, 1)]);
            var view = Snapshot(zones, registrations, 1, previous: null);
            var index = DnsZoneIndex.Build(view, options);
            Progress($"{services} services, {zones.Zones.Sum(z => z.Records.Count)} zone records, {view.InstanceCount} registrations, {index.NodeCount} names");

            var full = new List<double>();
            for (var i = 0; i < Math.Max(5, rounds / 10); i++)
            {
                var started = Stopwatch.GetTimestamp();
                DnsZoneIndex.Build(view, options, index);
                full.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            // The first update of a full build's index computes its sources once (O(view)); timed apart.
            var incremental = new List<double>();
            var snapshots = new List<double>();
            double first = 0;
            for (var round = 0; round <= rounds; round++)
            {
                var changed = round * 7919 % services;
                registrations[ServiceName.Parse($"s{changed}")] = [Instance(changed, 0, round + 2), Instance(changed, 1, 1)];
                var snapshotStarted = Stopwatch.GetTimestamp();
                view = Snapshot(zones, registrations, round + 2, view);
                snapshots.Add(Stopwatch.GetElapsedTime(snapshotStarted).TotalMilliseconds);
                var started = Stopwatch.GetTimestamp();
                index = DnsZoneIndex.Update(index, view, options);
                var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (index.ChangedNames is null)
                {
                    throw new InvalidOperationException("the update was a full build");
                }

                if (round == 0)
                {
                    first = ms;
                }
                else
                {
                    incremental.Add(ms);
                }
            }

            Emit("full", full, index.NodeCount);
            Emit("incremental", incremental, index.NodeCount);
            Emit("first-incremental", [first], index.NodeCount);
            Emit("view-snapshot", snapshots, index.NodeCount);
            return 0;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Per service: a declared SRV set of 2 targets with A records, a TXT, a CNAME and 2 more A names (8 records).</summary>
    private static string ZoneText(int services)
    {
        var text = new StringBuilder($"$ORIGIN {Zone}\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 60\n  IN NS ns\nns IN A 192.0.2.1\n");
        for (var i = 0; i < services; i++)
        {
            // Even services are declared (hybrid once registered), odd ones only registered (dynamic).
            var srv = i % 2 == 0 ? $"_s{i}._tcp IN SRV 10 10 80 d{i}a.hosts\n_s{i}._tcp IN SRV 10 10 80 d{i}b.hosts\n" : $"_x{i}._tcp IN SRV 10 10 80 d{i}a.hosts\n_x{i}._tcp IN SRV 10 10 80 d{i}b.hosts\n";
            text.Append(CultureInfo.InvariantCulture, $"{srv}d{i}a.hosts IN A 10.{i / 250}.{i % 250}.1\nd{i}b.hosts IN A 10.{i / 250}.{i % 250}.2\ninfo{i} IN TXT \"service {i}\"\nwww{i} IN CNAME info{i}\nm{i}.hosts IN A 10.{i / 250}.{i % 250}.3\nn{i}.hosts IN A 10.{i / 250}.{i % 250}.4\n");
        }

        return text.ToString();
    }

    private static ServiceInstance Instance(int service, int instance, int generation) => new()
    {
        Service = ServiceName.Parse($"s{service}"),
        Id = $"i{instance}g{generation}",
        Address = $"10.{100 + (service / 250)}.{service % 250}.{(instance * 100) + (generation % 100)}",
        Port = 80,
    };

    private static ViewSnapshot Snapshot(ZoneSet zones, Dictionary<ServiceName, IReadOnlyList<ServiceInstance>> registrations, long zxid, ViewSnapshot? previous) =>
        new(zones, new RegistrationState(new Dictionary<ServiceName, IReadOnlyList<ServiceInstance>>(registrations), zxid), Zone, MergePolicy.Default, stale: false, previous);

    private static void Emit(string phase, List<double> samples, int names)
    {
        samples.Sort();
        double At(double q) => samples[Math.Min(samples.Count - 1, (int)(q * samples.Count))];
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"benchmark\":\"dns-index\",\"phase\":\"{phase}\",\"names\":{names},\"samples\":{samples.Count},\"p50_ms\":{At(0.5):F3},\"p99_ms\":{At(0.99):F3},\"max_ms\":{samples[^1]:F3}}}"));
        Console.Out.Flush();
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[dns-index] {message}");
}
