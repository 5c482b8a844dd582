using System.Diagnostics;
using System.Globalization;
using Registry.ZooKeeper;

namespace Registry.Benchmarks;

/// <summary>
/// <c>zk-client</c>: <see cref="ZooKeeperClient"/> under the load deploy/bench/zk-client/ZkClientBench.java puts on the
/// official Java client, phase for phase, with the same JSON lines, so run.sh can put the two side by side.
/// </summary>
/// <remarks>
/// Phases: create_pipelined and getdata_pipelined (N nodes, at most <c>inflight</c> outstanding), then
/// create_latency and getdata_latency (<c>samples</c> nodes, one request at a time). Node names, warm-up, the pause after it,
/// the percentile definition and the JSON fields all match the Java tool; change both together.
/// </remarks>
internal static class ZkClientBenchmark
{
    private const string Client = "dotnet";

    public static Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        BenchmarkCommand.RunAsync(args, ZkClientOptions.Usage, ZkClientOptions.Parse, RunAsync, Progress, cancellationToken);

    private static async Task RunAsync(ZkClientOptions options, CancellationToken cancellationToken)
    {
        var data = new byte[options.Payload];
        Random.Shared.NextBytes(data);
        var warmupSamples = Math.Min(options.Warmup, options.Samples);

        await using var client = await ConnectAsync(options.ConnectString, cancellationToken);
        var root = options.Root;
        await client.CreateAsync(root, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
        Progress($"connected, root {root}");
        try
        {
            // Requests carry no cancellation token, as the Java calls carry none: cancellation is checked between requests.
            Func<string, Task<CreateResult>> create = path => client.CreateAsync(path, data);
            Func<string, Task<DataResult>> getData = path => client.GetDataAsync(path);
            Func<CreateResult, string?> created = _ => null;
            Func<DataResult, string?> gotPayload = result => result.Data.Length == options.Payload
                ? null
                : $"got {result.Data.Length} bytes, expected {options.Payload}";

            // Warm-up: the same code paths, unmeasured, so both runtimes reach their optimised tiers.
            await PipelinedAsync(Names(root, "w-", options.Warmup), options.Inflight, create, created, "create", cancellationToken);
            await PipelinedAsync(Names(root, "w-", options.Warmup), options.Inflight, getData, gotPayload, "getData", cancellationToken);
            await SequentialAsync(Names(root, "v-", warmupSamples), create, created, cancellationToken);
            await SequentialAsync(Names(root, "v-", warmupSamples), getData, gotPayload, cancellationToken);
            // Let background (tier-1) JIT compilation finish before the clock starts.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            Progress($"warm-up done ({options.Warmup} pipelined, {warmupSamples} sequential)");

            var nodes = Names(root, "n-", options.Ops);
            var elapsed = await PipelinedAsync(nodes, options.Inflight, create, created, "create", cancellationToken);
            Throughput("create_pipelined", options, elapsed);

            elapsed = await PipelinedAsync(nodes, options.Inflight, getData, gotPayload, "getData", cancellationToken);
            Throughput("getdata_pipelined", options, elapsed);

            var sequential = Names(root, "s-", options.Samples);
            Latency("create_latency", options, await SequentialAsync(sequential, create, created, cancellationToken));
            Latency("getdata_latency", options, await SequentialAsync(sequential, getData, gotPayload, cancellationToken));
        }
        finally
        {
            await CleanupAsync(client, options, warmupSamples);
        }
    }

    private static async Task<ZooKeeperClient> ConnectAsync(string connectString, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            return await ZooKeeperClient.ConnectAsync(
                new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = TimeSpan.FromSeconds(10) },
                timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no connection to {connectString} within 30 s");
        }
    }

    /// <summary>Runs <paramref name="operation"/> over every path with at most <paramref name="inflight"/> outstanding.</summary>
    /// <returns>The elapsed <see cref="Stopwatch"/> ticks, from the first request to the last response.</returns>
    private static async Task<long> PipelinedAsync<T>(
        string[] paths,
        int inflight,
        Func<string, Task<T>> operation,
        Func<T, string?> check,
        string name,
        CancellationToken cancellationToken,
        bool ignoreNoNode = false)
    {
        using var permits = new SemaphoreSlim(inflight, inflight);
        var failures = new Failures(name);
        var start = Stopwatch.GetTimestamp();
        try
        {
            foreach (var path in paths)
            {
                await permits.WaitAsync(cancellationToken);
                _ = RunOneAsync(path);
            }
        }
        finally
        {
            // Holding every permit means every request has completed; also keeps Release off a disposed semaphore.
            for (var i = 0; i < inflight; i++)
            {
                await permits.WaitAsync(CancellationToken.None);
            }
        }

        var elapsed = Stopwatch.GetTimestamp() - start;
        failures.ThrowIfAny();
        return elapsed;

        async Task RunOneAsync(string path)
        {
            try
            {
                var problem = check(await operation(path));
                if (problem is not null)
                {
                    failures.Add(path, problem);
                }
            }
            catch (NoNodeException) when (ignoreNoNode)
            {
            }
            catch (Exception e)
            {
                failures.Add(path, e.Message);
            }
            finally
            {
                permits.Release();
            }
        }
    }

    /// <returns>Each request's <see cref="Stopwatch"/> ticks, from the call to the resumed await.</returns>
    private static async Task<long[]> SequentialAsync<T>(
        string[] paths, Func<string, Task<T>> operation, Func<T, string?> check, CancellationToken cancellationToken)
    {
        var ticks = new long[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            var result = await operation(paths[i]);
            ticks[i] = Stopwatch.GetTimestamp() - start;
            if (check(result) is { } problem)
            {
                throw new InvalidOperationException($"{paths[i]}: {problem}");
            }
        }

        return ticks;
    }

    // Unmeasured and not cancellable; NoNode is fine here, so a failed or cancelled run still removes what it made.
    private static async Task CleanupAsync(ZooKeeperClient client, ZkClientOptions options, int warmupSamples)
    {
        var root = options.Root;
        var start = Stopwatch.GetTimestamp();
        string[] paths =
        [
            .. Names(root, "n-", options.Ops),
            .. Names(root, "s-", options.Samples),
            .. Names(root, "w-", options.Warmup),
            .. Names(root, "v-", warmupSamples),
        ];
        try
        {
            await PipelinedAsync(
                paths,
                options.Inflight,
                async path =>
                {
                    await client.DeleteAsync(path);
                    return true;
                },
                _ => null,
                "delete",
                CancellationToken.None,
                ignoreNoNode: true);
            await client.DeleteAsync(root);
            Progress($"cleaned up {root} in {Stopwatch.GetElapsedTime(start).TotalSeconds:F2} s");
        }
        catch (Exception e) when (e is KeeperException or InvalidOperationException)
        {
            Progress($"cleanup of {root} failed: {e.Message}");
        }
    }

    private static string[] Names(string root, string prefix, int count)
    {
        var paths = new string[count];
        for (var i = 0; i < count; i++)
        {
            paths[i] = string.Create(CultureInfo.InvariantCulture, $"{root}/{prefix}{i}");
        }

        return paths;
    }

    private static void Throughput(string phase, ZkClientOptions options, long ticks)
    {
        var seconds = (double)ticks / Stopwatch.Frequency;
        Emit(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"client":"{{Client}}","phase":"{{phase}}","ops":{{options.Ops}},"inflight":{{options.Inflight}},"payload":{{options.Payload}},"seconds":{{seconds:F4}},"ops_per_sec":{{options.Ops / seconds:F0}}}"""));
        Progress(string.Create(CultureInfo.InvariantCulture, $"{phase}: {options.Ops} ops in {seconds:F3} s"));
    }

    private static void Latency(string phase, ZkClientOptions options, long[] ticks)
    {
        var s = LatencySummary.FromTicks(ticks);
        Emit(string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"client":"{{Client}}","phase":"{{phase}}","samples":{{s.Samples}},"payload":{{options.Payload}},"mean_us":{{s.MeanUs:F1}},"p50_us":{{s.P50Us:F1}},"p90_us":{{s.P90Us:F1}},"p99_us":{{s.P99Us:F1}},"max_us":{{s.MaxUs:F1}}}"""));
        Progress(string.Create(CultureInfo.InvariantCulture, $"{phase}: p50 {s.P50Us:F1} us"));
    }

    private static void Emit(string jsonLine)
    {
        Console.Out.WriteLine(jsonLine);
        Console.Out.Flush();
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[{Client}] {message}");

    /// <summary>Counts failed requests of a batch and keeps the first one's message; safe to call from any thread.</summary>
    private sealed class Failures(string operation)
    {
        private int _count;
        private string? _first;

        public void Add(string path, string message)
        {
            if (Interlocked.Increment(ref _count) == 1)
            {
                Volatile.Write(ref _first, $"{path}: {message}");
            }
        }

        /// <exception cref="InvalidOperationException">At least one request failed.</exception>
        public void ThrowIfAny()
        {
            var count = Volatile.Read(ref _count);
            if (count > 0)
            {
                throw new InvalidOperationException($"{operation}: {count} failed, first: {Volatile.Read(ref _first)}");
            }
        }
    }
}
