using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Registry.Core.Instances;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Core.Zones;
using Registry.Discovery;
using Registry.ZooKeeper;

namespace Registry.Benchmarks;

/// <summary>
/// <c>propagation</c>: how long a registration change in ZooKeeper takes to reach the published
/// <see cref="ViewSnapshot"/>, with 10 to 100,000 instances registered (DESIGN §6: milliseconds, not seconds); and, at
/// each size, the cold start (watcher start to the first full snapshot) and the memory that state takes.
/// </summary>
/// <remarks>
/// Per size: instances are registered (ephemeral znodes in Curator JSON, <c>per-service</c> to a service, pipelined)
/// with no watcher running; then a watcher and the server's view loop start (cold start, heap before and after);
/// then, one at a time, a probe instance is created in a random service and deleted again, each change timed from
/// just before its request is sent to the publication of the first snapshot that shows it. The zone set declares a
/// few of the registered services (hybrid) and a static one, in the default zone. Results are JSON lines on stdout.
/// </remarks>
internal static class PropagationBenchmark
{
    private const string DefaultZone = "svc.bench.";
    private const int Port = 8080;
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(30);

    private const string Zone = """
        $ORIGIN svc.bench.
        $TTL 60
        @               IN SOA  ns1 hostmaster ( 2026112301 3600 600 1209600 60 )
                        IN NS   ns1
        ns1             IN A    192.0.2.53
        ; Hybrid: svc0000's first two instances run the declared targets, its others are undeclared (accepted).
        _svc0000._tcp   IN SRV  10 50 8080 t0
                        IN SRV  10 50 8080 t1
        _svc0001._tcp   IN SRV  10 50 8080 u0
        ; Static: never registers.
        _legacy._tcp    IN SRV  10 10 25 mail
        t0              IN A    10.0.0.1
        t1              IN A    10.0.0.2
        u0              IN A    10.0.1.1
        mail            IN A    192.0.2.25
        """;

    public static Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        BenchmarkCommand.RunAsync(args, PropagationOptions.Usage, PropagationOptions.Parse, RunAsync, Progress, cancellationToken);

    private static async Task RunAsync(PropagationOptions options, CancellationToken cancellationToken)
    {
        var zones = LoadZones();
        var basePath = "/propagation-" + (Random.Shared.NextInt64() & long.MaxValue).ToString("x", CultureInfo.InvariantCulture);
        var layout = new ZooKeeperLayout { BasePath = basePath };
        Progress($"GC: {(GCSettings.IsServerGC ? "server" : "workstation")}, {(GCSettings.LatencyMode)}; {Environment.ProcessorCount} cores; base {basePath}");

        // The registrar: one session that creates every instance (ephemeral) and the probes.
        await using var registrar = await ZooKeeperClient.ConnectAsync(ClientOptions(options.ConnectString), cancellationToken);
        await registrar.CreateAsync(basePath, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
        var registered = 0;
        var services = 0;
        try
        {
            await WarmUpAsync(registrar, basePath + "-warmup", options, cancellationToken);
            foreach (var size in options.Sizes)
            {
                cancellationToken.ThrowIfCancellationRequested();
                (registered, services) = await PopulateAsync(registrar, layout, options, registered, services, size, cancellationToken);
                await MeasureAsync(options, layout, zones, size, services, cancellationToken);
            }
        }
        finally
        {
            await CleanupAsync(registrar, layout, options, registered, services);
        }
    }

    /// <summary>
    /// Warms ZooKeeper's JIT and ours on the request paths before anything is measured, outside the watched base
    /// path: a fresh JVM answers its first thousands of requests several times slower, which would land on the smallest
    /// size's tail. The watcher's and the snapshot's paths are warmed per size, by the warm-up changes.
    /// </summary>
    private static async Task WarmUpAsync(ZooKeeperClient registrar, string root, PropagationOptions options, CancellationToken cancellationToken)
    {
        const int Pipelined = 20_000, Sequential = 2_000;
        var start = Stopwatch.GetTimestamp();
        var data = ServiceInstanceCodec.Encode(InstanceAt(0, options.PerService));
        await registrar.CreateAsync(root, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
        try
        {
            await PipelineAsync(Enumerable.Range(0, Pipelined), options.Inflight, n => registrar.CreateAsync($"{root}/n{n}", data, CreateMode.Ephemeral), cancellationToken);
            await PipelineAsync(Enumerable.Range(0, Pipelined), options.Inflight, n => registrar.GetDataAsync($"{root}/n{n}"), cancellationToken);
            await PipelineAsync(Enumerable.Range(0, Pipelined), options.Inflight, n => registrar.DeleteAsync($"{root}/n{n}"), cancellationToken);
            for (var n = 0; n < Sequential; n++)
            {
                await registrar.CreateAsync($"{root}/s{n}", data, CreateMode.Ephemeral, cancellationToken: cancellationToken);
                await registrar.DeleteAsync($"{root}/s{n}", cancellationToken: cancellationToken);
            }
        }
        finally
        {
            await registrar.DeleteAsync(root, cancellationToken: CancellationToken.None);
        }

        Progress($"ZooKeeper warmed up ({Pipelined:N0} pipelined and {Sequential:N0} sequential creates and deletes) in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
    }

    /// <summary>Registers instances until there are <paramref name="size"/>, adding services as they fill up.</summary>
    private static async Task<(int Registered, int Services)> PopulateAsync(
        ZooKeeperClient registrar, ZooKeeperLayout layout, PropagationOptions options, int registered, int services, int size, CancellationToken cancellationToken)
    {
        var needed = (size + options.PerService - 1) / options.PerService;
        for (; services < needed; services++)
        {
            await registrar.CreateAsync(layout.ServicePath(ServiceAt(services)), ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
        }

        var count = size - registered;
        if (count <= 0)
        {
            return (registered, services);
        }

        Progress($"registering {count:N0} instances ({registered:N0} -> {size:N0}, {options.PerService} per service, {options.Inflight} in flight)");
        var start = Stopwatch.GetTimestamp();
        var step = Math.Max(count / 10, 1);
        var done = 0;
        await PipelineAsync(
            Enumerable.Range(registered, count),
            options.Inflight,
            async n =>
            {
                var instance = InstanceAt(n, options.PerService);
                await registrar.CreateAsync(layout.InstancePath(instance.Service, instance.Id), ServiceInstanceCodec.Encode(instance), CreateMode.Ephemeral);
                var finished = Interlocked.Increment(ref done);
                if (finished % step == 0)
                {
                    var elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    Progress(string.Create(CultureInfo.InvariantCulture, $"  {registered + finished:N0}/{size:N0} ({finished / elapsed:F0}/s)"));
                }
            },
            cancellationToken);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Emit(string.Create(CultureInfo.InvariantCulture, $$"""{"phase":"populate","size":{{size}},"created":{{count}},"seconds":{{seconds:F2}},"ops_per_sec":{{count / seconds:F0}}}"""));
        return (size, services);
    }

    private static async Task MeasureAsync(PropagationOptions options, ZooKeeperLayout layout, ZoneSet zones, int size, int services, CancellationToken cancellationToken)
    {
        // Cold start: a new watcher and the view loop over `size` instances; the heap before and after.
        var (heapBefore, workingSetBefore) = Memory();
        var watcher = new RegistrationWatcher(ClientOptions(options.ConnectString), layout);
        await using var _ = watcher;
        var start = Stopwatch.GetTimestamp();
        var loop = new ViewLoop(watcher, zones, DefaultZone, MergePolicy.Default);
        await using var __ = loop;
        var full = loop.Expect(s => s.InstanceCount >= size);
        await watcher.StartAsync(cancellationToken);
        var loaded = Stopwatch.GetTimestamp();
        var first = await full.WaitAsync(ChangeTimeout, cancellationToken);
        var (heapAfter, workingSetAfter) = Memory();
        var loadMs = Ms(loaded - start);
        var totalMs = Ms(first.Published - start);
        var buildMs = Ms(first.Published - first.Received);
        var bytesPerInstance = (double)(heapAfter - heapBefore) / size;
        Emit(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"phase":"cold_start","size":{{size}},"services":{{first.Snapshot.ServiceCount}},"load_ms":{{loadMs:F1}},"first_build_ms":{{buildMs:F1}},"total_ms":{{totalMs:F1}},"heap_before_mb":{{heapBefore / 1048576.0:F1}},"heap_after_mb":{{heapAfter / 1048576.0:F1}},"heap_bytes_per_instance":{{bytesPerInstance:F0}},"working_set_before_mb":{{workingSetBefore / 1048576.0:F1}},"working_set_after_mb":{{workingSetAfter / 1048576.0:F1}}}"""));
        Progress(string.Create(CultureInfo.InvariantCulture, $"size {size:N0}: cold start {totalMs:F0} ms (load {loadMs:F0} ms, first snapshot {buildMs:F0} ms), {bytesPerInstance:F0} B/instance on the heap"));

        // Propagation: one change at a time; a probe instance appears in a random service, then disappears.
        await using var prober = await ZooKeeperClient.ConnectAsync(ClientOptions(options.ConnectString), cancellationToken);
        var random = new Random(size);
        var create = new Samples(options.Samples);
        var delete = new Samples(options.Samples);
        var snapshotsBefore = loop.Snapshots;
        var gcBefore = GcCounters.Now();
        for (var i = -options.Warmup; i < options.Samples; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var service = ServiceAt(random.Next(services));
            var probe = new ServiceInstance { Service = service, Id = $"probe{i + options.Warmup}", Address = "10.255.255.1", Port = Port };
            var path = layout.InstancePath(service, probe.Id);
            var data = ServiceInstanceCodec.Encode(probe);

            var shown = loop.Expect(s => Shows(s, service, probe.Id));
            var t0 = Stopwatch.GetTimestamp();
            await prober.CreateAsync(path, data, CreateMode.Ephemeral, cancellationToken: cancellationToken);
            var answered = Stopwatch.GetTimestamp();
            var publication = await shown.WaitAsync(ChangeTimeout, cancellationToken);
            create.Add(i, t0, answered, publication);

            var gone = loop.Expect(s => !Shows(s, service, probe.Id));
            t0 = Stopwatch.GetTimestamp();
            await prober.DeleteAsync(path, cancellationToken: cancellationToken);
            answered = Stopwatch.GetTimestamp();
            publication = await gone.WaitAsync(ChangeTimeout, cancellationToken);
            delete.Add(i, t0, answered, publication);

            if (i == -1)
            {
                // Let background (tier-1) JIT compilation finish before the clock starts.
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                snapshotsBefore = loop.Snapshots;
                gcBefore = GcCounters.Now();
            }
        }

        var snapshots = loop.Snapshots - snapshotsBefore;
        var gc = GcCounters.Now() - gcBefore;
        create.Emit("create", size, snapshots);
        delete.Emit("delete", size, snapshots);
        Emit(string.Create(CultureInfo.InvariantCulture, $$"""{"phase":"gc","size":{{size}},"gen0":{{gc.Gen0}},"gen1":{{gc.Gen1}},"gen2":{{gc.Gen2}},"pause_ms":{{gc.Pause.TotalMilliseconds:F1}}}"""));
        Progress(string.Create(CultureInfo.InvariantCulture, $"size {size:N0}: {gc.Gen0} gen0, {gc.Gen1} gen1, {gc.Gen2} gen2 collections during the samples, {gc.Pause.TotalMilliseconds:F1} ms paused in all"));

        if (options.Verify)
        {
            // The incrementally kept state must equal a fresh load of the same ZooKeeper state, zxid included.
            await using var fresh = new RegistrationWatcher(ClientOptions(options.ConnectString), layout);
            await fresh.StartAsync(cancellationToken);
            var kept = watcher.Current;
            var loadedAgain = fresh.Current;
            var same = kept.Zxid == loadedAgain.Zxid
                && kept.Services.Count == loadedAgain.Services.Count
                && kept.Services.All(p => loadedAgain.Services.TryGetValue(p.Key, out var other) && other.Select(x => x.Id).SequenceEqual(p.Value.Select(x => x.Id)));
            Emit(string.Create(CultureInfo.InvariantCulture, $$"""{"phase":"verify","size":{{size}},"zxid":{{kept.Zxid}},"fresh_zxid":{{loadedAgain.Zxid}},"equal":{{(same ? "true" : "false")}}}"""));
            if (!same)
            {
                throw new InvalidOperationException($"the watcher's state (zxid 0x{kept.Zxid:x}) differs from a fresh load (zxid 0x{loadedAgain.Zxid:x})");
            }
        }
    }

    private static bool Shows(ViewSnapshot snapshot, ServiceName service, string id)
    {
        if (!snapshot.TryGetService(service, "tcp", out var merged))
        {
            return false;
        }

        foreach (var endpoint in merged.Endpoints)
        {
            if (endpoint.Instance is { } instance && instance.Id == id)
            {
                return true;
            }
        }

        return false;
    }

    private static ZoneSet LoadZones()
    {
        var directory = Path.Combine(Path.GetTempPath(), "registry-propagation-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "svc.bench.zone"), Zone);
            return ZoneLoader.Load(directory);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static ServiceName ServiceAt(int index) => ServiceName.Parse(string.Create(CultureInfo.InvariantCulture, $"svc{index:D4}"));

    /// <summary>The n-th instance: service n / perService, address 10.(s / 256).(s % 256).(i + 1), so svc0000's i00 and i01 run t0 and t1.</summary>
    private static ServiceInstance InstanceAt(int n, int perService)
    {
        var (service, index) = Math.DivRem(n, perService);
        return new ServiceInstance
        {
            Service = ServiceAt(service),
            Id = string.Create(CultureInfo.InvariantCulture, $"i{index:D2}"),
            Address = string.Create(CultureInfo.InvariantCulture, $"10.{service / 256}.{service % 256}.{(index % 254) + 1}"),
            Port = Port,
            RegisteredAt = DateTimeOffset.UnixEpoch.AddMilliseconds(1_700_000_000_000),
        };
    }

    private static ZooKeeperClientOptions ClientOptions(string connectString) =>
        new() { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>The managed heap after a full, compacting, blocking collection, and the process working set.</summary>
    private static (long Heap, long WorkingSet) Memory()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        return (heap, process.WorkingSet64);
    }

    private static async Task PipelineAsync(IEnumerable<int> items, int inflight, Func<int, Task> operation, CancellationToken cancellationToken)
    {
        using var permits = new SemaphoreSlim(inflight, inflight);
        Exception? failure = null;
        try
        {
            foreach (var item in items)
            {
                await permits.WaitAsync(cancellationToken);
                if (Volatile.Read(ref failure) is { } e)
                {
                    throw new InvalidOperationException($"a pipelined request failed: {e.Message}", e);
                }

                _ = RunOneAsync(item);
            }
        }
        finally
        {
            for (var i = 0; i < inflight; i++)
            {
                await permits.WaitAsync(CancellationToken.None);
            }
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"a pipelined request failed: {failure.Message}", failure);
        }

        async Task RunOneAsync(int item)
        {
            try
            {
                await operation(item);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            finally
            {
                permits.Release();
            }
        }
    }

    // Unmeasured and not cancellable: a failed or cancelled run still removes what it made (NoNode is fine).
    private static async Task CleanupAsync(ZooKeeperClient registrar, ZooKeeperLayout layout, PropagationOptions options, int registered, int services)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await PipelineAsync(
                Enumerable.Range(0, registered),
                options.Inflight,
                async n =>
                {
                    var instance = InstanceAt(n, options.PerService);
                    await IgnoreNoNode(registrar.DeleteAsync(layout.InstancePath(instance.Service, instance.Id)));
                },
                CancellationToken.None);
            await PipelineAsync(Enumerable.Range(0, services), options.Inflight, n => IgnoreNoNode(registrar.DeleteAsync(layout.ServicePath(ServiceAt(n)))), CancellationToken.None);
            await registrar.DeleteAsync(layout.BasePath);
            Progress($"cleaned up {layout.BasePath} in {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s");
        }
        catch (Exception e) when (e is KeeperException or InvalidOperationException)
        {
            Progress($"cleanup of {layout.BasePath} failed: {e.Message}");
        }

        static async Task IgnoreNoNode(Task delete)
        {
            try
            {
                await delete;
            }
            catch (NoNodeException)
            {
            }
        }
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static void Emit(string jsonLine)
    {
        Console.Out.WriteLine(jsonLine);
        Console.Out.Flush();
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[propagation] {message}");

    /// <summary>Collections and pause time so far, to tell a GC pause from the machine in the tail.</summary>
    private readonly record struct GcCounters(int Gen0, int Gen1, int Gen2, TimeSpan Pause)
    {
        public static GcCounters Now() =>
            new(GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

        public static GcCounters operator -(GcCounters left, GcCounters right) =>
            new(left.Gen0 - right.Gen0, left.Gen1 - right.Gen1, left.Gen2 - right.Gen2, left.Pause - right.Pause);
    }

    /// <summary>The measured changes of one kind: total delay, and where it went.</summary>
    private sealed class Samples(int capacity)
    {
        private readonly List<long> _total = new(capacity);
        private readonly List<long> _request = new(capacity);
        private readonly List<long> _watcher = new(capacity);
        private readonly List<long> _build = new(capacity);

        /// <summary>Records sample <paramref name="index"/> (negative ones are warm-up, not recorded).</summary>
        public void Add(int index, long sent, long answered, ViewLoop.Publication publication)
        {
            if (index < 0)
            {
                return;
            }

            _total.Add(publication.Published - sent);
            _request.Add(answered - sent);
            _watcher.Add(publication.Received - sent);
            _build.Add(publication.Published - publication.Received);
        }

        public void Emit(string phase, int size, long snapshots)
        {
            var total = LatencySummary.FromTicks([.. _total]);
            var request = LatencySummary.FromTicks([.. _request]);
            var watcher = LatencySummary.FromTicks([.. _watcher]);
            var build = LatencySummary.FromTicks([.. _build]);
            PropagationBenchmark.Emit(string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"phase":"{{phase}}","size":{{size}},"samples":{{total.Samples}},"snapshots":{{snapshots}},"mean_us":{{total.MeanUs:F1}},"p50_us":{{total.P50Us:F1}},"p90_us":{{total.P90Us:F1}},"p99_us":{{total.P99Us:F1}},"max_us":{{total.MaxUs:F1}},"request_p50_us":{{request.P50Us:F1}},"request_p99_us":{{request.P99Us:F1}},"to_state_p50_us":{{watcher.P50Us:F1}},"to_state_p99_us":{{watcher.P99Us:F1}},"build_p50_us":{{build.P50Us:F1}},"build_p99_us":{{build.P99Us:F1}},"build_max_us":{{build.MaxUs:F1}}}"""));
            Progress(string.Create(CultureInfo.InvariantCulture, $"size {size:N0} {phase}: p50 {total.P50Us / 1000:F2} ms, p99 {total.P99Us / 1000:F2} ms, max {total.MaxUs / 1000:F2} ms (snapshot build p50 {build.P50Us:F0} us, p99 {build.P99Us:F0} us)"));

            // Where the tail is: clustered at the start (warm-up not done) or spread over the run (the machine).
            var slowest = Enumerable.Range(0, _total.Count).OrderByDescending(i => _total[i]).Take(10).Order();
            Progress("  slowest samples (index: total / request / to state / build, ms): " + string.Join(", ", slowest.Select(i => string.Create(
                CultureInfo.InvariantCulture, $"#{i}: {Ms(_total[i]):F1}/{Ms(_request[i]):F1}/{Ms(_watcher[i]):F1}/{Ms(_build[i]):F1}"))));
        }
    }
}
