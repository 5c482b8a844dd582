using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.V1;
using Registry.ZooKeeper;

namespace Registry.Benchmarks;

/// <summary>
/// <c>watch-streams</c>: many concurrent gRPC Watch streams on one registry-server (issue 5 §6): the time from a
/// ZooKeeper change to its delivery at each stream, and the server's memory (target: p99 under 200 ms, RSS under 1 GB
/// with 10,000 streams).
/// </summary>
/// <remarks>
/// The server runs elsewhere (deploy/bench/watch/run.sh starts it). The streams (every service, no resume) are spread
/// evenly over <c>connections</c> channels, each its own HTTP/2 connection; each stream is one task reading its
/// response stream. Once every stream has its initial snapshot, <c>changes</c> changes are made one at a time,
/// <c>interval-ms</c> apart: a probe instance (ephemeral znode) is created in service <c>watchbench</c>, then deleted
/// (a standing anchor instance keeps the service itself in the view). Each change is timed from just before its
/// request is sent to the arrival, at each stream, of the ENDPOINT_ADDED or ENDPOINT_REMOVED that carries the probe's
/// id. The server's RSS is read from /proc/PID/status. Results are JSON lines on stdout, progress on stderr.
/// </remarks>
internal static class WatchStreamsBenchmark
{
    private const string Anchor = "anchor";
    private const string ProbePrefix = "probe";
    private static readonly ServiceName Service = ServiceName.Parse("watchbench");
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    public static Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        BenchmarkCommand.RunAsync(args, WatchStreamsOptions.Usage, WatchStreamsOptions.Parse, RunAsync, Progress, cancellationToken);

    private static async Task RunAsync(WatchStreamsOptions options, CancellationToken cancellationToken)
    {
        var layout = new ZooKeeperLayout { BasePath = options.BasePath };
        Progress($"{options.Streams:N0} streams over {options.Connections} connections to {options.GrpcAddress} ({(options.Client == WatchClientKind.Grpc ? "Grpc.Net.Client" : "lean h2c reader")}); {options.Warmup} warm-up and {options.Changes} measured changes {options.IntervalMs} ms apart; "
            + $"{Environment.ProcessorCount} cores, load average {LoadAverage()}");

        await using var registrar = await ZooKeeperClient.ConnectAsync(
            new ZooKeeperClientOptions { ConnectString = options.ConnectString, SessionTimeout = TimeSpan.FromSeconds(30) }, cancellationToken);
        await EnsureAsync(registrar, options.BasePath, cancellationToken);
        await EnsureAsync(registrar, layout.ServicePath(Service), cancellationToken);
        var anchor = new ServiceInstance { Service = Service, Id = Anchor, Address = "10.255.0.1", Port = 8080 };
        await registrar.CreateAsync(layout.InstancePath(Service, Anchor), ServiceInstanceCodec.Encode(anchor), CreateMode.Ephemeral, cancellationToken: cancellationToken);

        var rssIdle = ServerMemory(options.ServerPid);
        var state = new RunState(options.Streams, options.Warmup + options.Changes, options.Warmup);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var connectionCount = Math.Min(options.Connections, options.Streams);
        var channels = options.Client == WatchClientKind.Grpc
            ? Enumerable.Range(0, connectionCount).Select(_ => GrpcChannel.ForAddress(options.GrpcAddress, new GrpcChannelOptions
            {
                HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
                MaxReceiveMessageSize = 64 * 1024 * 1024,
            })).ToArray()
            : [];
        var connections = new List<H2cWatchConnection>();
        var readers = new Task[options.Client == WatchClientKind.Grpc ? options.Streams : 0];
        try
        {
            // Open: every stream until its initial snapshot.
            var start = Stopwatch.GetTimestamp();
            if (options.Client == WatchClientKind.Grpc)
            {
                for (var s = 0; s < options.Streams; s++)
                {
                    readers[s] = ReadAsync(new Registry.V1.Registry.RegistryClient(channels[s % channels.Length]), s, state, stop.Token);
                }
            }
            else
            {
                // Streams [first, first + count) on connection k, spread as evenly as they divide.
                for (int k = 0, first = 0; k < connectionCount; k++)
                {
                    var count = (options.Streams / connectionCount) + (k < options.Streams % connectionCount ? 1 : 0);
                    connections.Add(await H2cWatchConnection.OpenAsync(options.GrpcAddress, first, count, state.Observe, state.Fail, cancellationToken));
                    first += count;
                }
            }

            var deadline = start + (long)(options.OpenTimeoutSeconds * (double)Stopwatch.Frequency);
            while (Volatile.Read(ref state.Snapshots) < options.Streams)
            {
                await Task.Delay(1000, cancellationToken);
                Progress($"  {Volatile.Read(ref state.Snapshots):N0}/{options.Streams:N0} streams have their snapshot ({Volatile.Read(ref state.Failed):N0} failed) after {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s; server RSS {Mb(ServerMemory(options.ServerPid).Rss)}");
                if (Volatile.Read(ref state.Failed) > 0 || Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"only {state.Snapshots:N0} of {options.Streams:N0} streams got their snapshot ({state.Failed:N0} failed: {state.FirstError})");
                }
            }

            var openSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            await Task.Delay(1000, cancellationToken);
            var rssOpen = ServerMemory(options.ServerPid);
            Emit(Invariant($$"""{"phase":"open","client":"{{options.Client.ToString().ToLowerInvariant()}}","streams":{{options.Streams}},"connections":{{connectionCount}},"seconds":{{openSeconds:F2}},"server_rss_idle_mb":{{rssIdle.Rss / 1048576.0:F1}},"server_rss_open_mb":{{rssOpen.Rss / 1048576.0:F1}},"server_threads":{{rssOpen.Threads}}}"""));
            Progress(Invariant($"all {options.Streams:N0} streams open in {openSeconds:F1} s; server RSS {Mb(rssIdle.Rss)} idle -> {Mb(rssOpen.Rss)} with the streams"));

            // Changes: probe i is created (change 2i) and deleted (change 2i + 1); the first `warmup` are not measured
            // (they JIT the server's fan-out path).
            var total = options.Warmup + options.Changes;
            var cpuBefore = (Server: ServerCpu(options.ServerPid), Client: Process.GetCurrentProcess().TotalProcessorTime);
            for (var c = 0; c < total; c++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (c == options.Warmup)
                {
                    cpuBefore = (ServerCpu(options.ServerPid), Process.GetCurrentProcess().TotalProcessorTime);
                }

                var probe = new ServiceInstance { Service = Service, Id = ProbePrefix + (c / 2).ToString(CultureInfo.InvariantCulture), Address = "10.255.1.1", Port = 8080 };
                var path = layout.InstancePath(Service, probe.Id);
                state.Sent[c] = Stopwatch.GetTimestamp();
                if (c % 2 == 0)
                {
                    await registrar.CreateAsync(path, ServiceInstanceCodec.Encode(probe), CreateMode.Ephemeral, cancellationToken: cancellationToken);
                }
                else
                {
                    await registrar.DeleteAsync(path, cancellationToken: cancellationToken);
                }

                await Task.Delay(options.IntervalMs, cancellationToken);
                var delivered = state.Delivered(c);
                Progress(Invariant($"  {(c < options.Warmup ? "warm-up " : "")}change {c + 1}/{total} ({(c % 2 == 0 ? "create" : "delete")} {probe.Id}): delivered to {delivered:N0}/{options.Streams:N0} streams after {options.IntervalMs} ms, slowest so far {Ms(state.Slowest(c)):F1} ms"));
            }

            // Stragglers: wait until every stream has every change, or the timeout.
            var waitStart = Stopwatch.GetTimestamp();
            while (state.Missing() > 0 && Stopwatch.GetElapsedTime(waitStart) < DeliveryTimeout)
            {
                await Task.Delay(100, cancellationToken);
            }

            var cpu = (Server: ServerCpu(options.ServerPid) - cpuBefore.Server, Client: Process.GetCurrentProcess().TotalProcessorTime - cpuBefore.Client);
            var rssAfter = ServerMemory(options.ServerPid);
            var latencies = state.Latencies();
            var missing = state.Missing();
            var streamsMissing = state.StreamsMissing();
            var summary = latencies.Length > 0 ? LatencySummary.FromTicks(latencies) : default;
            Emit(Invariant($$"""{"phase":"delivery","streams":{{options.Streams}},"changes":{{options.Changes}},"warmup":{{options.Warmup}},"interval_ms":{{options.IntervalMs}},"pairs":{{(long)options.Streams * options.Changes}},"delivered":{{latencies.Length}},"missing":{{missing}},"streams_missing":{{streamsMissing}},"resnapshots":{{state.Resnapshots}},"mean_us":{{summary.MeanUs:F1}},"p50_us":{{summary.P50Us:F1}},"p90_us":{{summary.P90Us:F1}},"p99_us":{{summary.P99Us:F1}},"max_us":{{summary.MaxUs:F1}},"server_cpu_ms":{{cpu.Server.TotalMilliseconds:F0}},"client_cpu_ms":{{cpu.Client.TotalMilliseconds:F0}},"server_cpu_us_per_delivery":{{cpu.Server.TotalMicroseconds / ((double)options.Streams * options.Changes):F1}},"client_cpu_us_per_delivery":{{cpu.Client.TotalMicroseconds / ((double)options.Streams * options.Changes):F1}}}"""));
            Emit(Invariant($$"""{"phase":"memory","streams":{{options.Streams}},"server_rss_idle_mb":{{rssIdle.Rss / 1048576.0:F1}},"server_rss_open_mb":{{rssOpen.Rss / 1048576.0:F1}},"server_rss_after_mb":{{rssAfter.Rss / 1048576.0:F1}},"server_rss_peak_mb":{{rssAfter.Peak / 1048576.0:F1}},"server_kb_per_stream":{{(rssOpen.Rss - rssIdle.Rss) / 1024.0 / options.Streams:F1}},"load_average":"{{LoadAverage()}}"}"""));
            Progress(Invariant($"delivery over {latencies.Length:N0} (stream, change) pairs: p50 {summary.P50Us / 1000:F1} ms, p99 {summary.P99Us / 1000:F1} ms (target < 200 ms: {(summary.P99Us < 200_000 && missing == 0 ? "PASS" : "FAIL")}, {summary.P99Us / 200_000:P0} of it), max {summary.MaxUs / 1000:F1} ms; {missing:N0} missed by {streamsMissing:N0} streams, {state.Resnapshots} re-snapshots"));
            Progress(Invariant($"CPU over the measured changes: server {cpu.Server.TotalMilliseconds:F0} ms ({cpu.Server.TotalMicroseconds / ((double)options.Streams * options.Changes):F1} us per delivery), this client {cpu.Client.TotalMilliseconds:F0} ms ({cpu.Client.TotalMicroseconds / ((double)options.Streams * options.Changes):F1} us per delivery)"));
            Progress(Invariant($"server RSS {Mb(rssAfter.Rss)} after, peak {Mb(rssAfter.Peak)} (target < 1 GB: {(rssAfter.Peak < 1L << 30 ? "PASS" : "FAIL")}, {rssAfter.Peak / (double)(1L << 30):P0} of it); load average {LoadAverage()}"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(readers.Where(r => r is not null)).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }

            foreach (var channel in channels)
            {
                channel.Dispose();
            }

            foreach (var path in new[] { layout.InstancePath(Service, Anchor) }.Concat(Enumerable.Range(0, (options.Warmup + options.Changes + 1) / 2).Select(i => layout.InstancePath(Service, ProbePrefix + i.ToString(CultureInfo.InvariantCulture)))))
            {
                try
                {
                    await registrar.DeleteAsync(path, cancellationToken: CancellationToken.None);
                }
                catch (NoNodeException)
                {
                }
            }
        }
    }

    /// <summary>One stream: counts its initial snapshot, then stamps the arrival of each probe change it sees.</summary>
    private static async Task ReadAsync(Registry.V1.Registry.RegistryClient client, int stream, RunState state, CancellationToken cancellationToken)
    {
        try
        {
            using var call = client.Watch(new WatchRequest(), cancellationToken: cancellationToken);
            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                state.Observe(stream, call.ResponseStream.Current, Stopwatch.GetTimestamp());
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is RpcException or IOException or HttpRequestException)
        {
            state.Fail(stream, e.Message);
        }
    }

    private static async Task EnsureAsync(ZooKeeperClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, ReadOnlyMemory<byte>.Empty, cancellationToken: cancellationToken);
        }
        catch (NodeExistsException)
        {
        }
    }

    /// <summary>VmRSS, VmHWM (peak) and Threads of a process from /proc/PID/status; zeros without a PID.</summary>
    private static (long Rss, long Peak, int Threads) ServerMemory(int pid)
    {
        if (pid == 0)
        {
            return default;
        }

        long rss = 0, peak = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kb(line);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        return (rss, peak, threads);

        static long Kb(string line) => long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>User + system CPU time of a process from /proc/PID/stat (fields 14 and 15, in clock ticks of 10 ms); zero without a PID.</summary>
    private static TimeSpan ServerCpu(int pid)
    {
        if (pid == 0)
        {
            return TimeSpan.Zero;
        }

        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are space-separated.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Mb(long bytes) => Invariant($"{bytes / 1048576.0:F0} MB");

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static void Emit(string jsonLine)
    {
        Console.Out.WriteLine(jsonLine);
        Console.Out.Flush();
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[watch-streams] {message}");

    /// <summary>What the stream tasks share: snapshot counts, and the arrival tick of change c at stream s (0: not yet).</summary>
    private sealed class RunState(int streams, int changes, int measuredFrom)
    {
        public int Snapshots;
        public int Resnapshots;
        public int Failed;
        public string? FirstError;
        public readonly long[] Sent = new long[changes];
        private readonly long[] _arrived = new long[(long)streams * changes];
        private readonly bool[] _hasSnapshot = new bool[streams];

        /// <summary>One event at stream <paramref name="stream"/>: its first snapshot is counted, later ones are re-snapshots; probe changes are stamped.</summary>
        public void Observe(int stream, WatchEvent e, long now)
        {
            switch (e.EventCase)
            {
                case WatchEvent.EventOneofCase.Snapshot when !_hasSnapshot[stream]:
                    _hasSnapshot[stream] = true;
                    Interlocked.Increment(ref Snapshots);
                    break;
                case WatchEvent.EventOneofCase.Snapshot:
                    Interlocked.Increment(ref Resnapshots);
                    break;
                case WatchEvent.EventOneofCase.Changes:
                    foreach (var change in e.Changes.Changes)
                    {
                        switch (change.Kind)
                        {
                            case ChangeKind.EndpointAdded or ChangeKind.EndpointRemoved:
                                Arrived(stream, change.Endpoint, change.Kind == ChangeKind.EndpointAdded, now);
                                break;
                            case ChangeKind.ServiceAdded or ChangeKind.ServiceRemoved:
                                foreach (var endpoint in change.Service.Endpoints)
                                {
                                    Arrived(stream, endpoint, change.Kind == ChangeKind.ServiceAdded, now);
                                }

                                break;
                        }
                    }

                    break;
            }
        }

        public void Fail(int stream, string reason)
        {
            Interlocked.CompareExchange(ref FirstError, $"stream {stream}: {reason}", null);
            Interlocked.Increment(ref Failed);
        }

        public void Arrived(int stream, Endpoint endpoint, bool added, long now)
        {
            var id = endpoint.Registration?.Id;
            if (id is null || !id.StartsWith(ProbePrefix, StringComparison.Ordinal)
                || !int.TryParse(id.AsSpan(ProbePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var probe))
            {
                return;
            }

            var change = (2 * probe) + (added ? 0 : 1);
            if (change < changes)
            {
                Interlocked.CompareExchange(ref _arrived[((long)stream * changes) + change], now, 0);
            }
        }

        public int Delivered(int change) => Enumerable.Range(0, streams).Count(s => Volatile.Read(ref _arrived[((long)s * changes) + change]) != 0);

        public long Slowest(int change) => Enumerable.Range(0, streams).Select(s => Volatile.Read(ref _arrived[((long)s * changes) + change])).Where(t => t != 0).Select(t => t - Sent[change]).DefaultIfEmpty().Max();

        public long Missing() => Enumerable.Range(0, streams).Sum(s => (long)Enumerable.Range(measuredFrom, changes - measuredFrom).Count(c => _arrived[((long)s * changes) + c] == 0));

        public int StreamsMissing() => Enumerable.Range(0, streams).Count(s => Enumerable.Range(measuredFrom, changes - measuredFrom).Any(c => _arrived[((long)s * changes) + c] == 0));

        public long[] Latencies() => [.. Enumerable.Range(0, streams).SelectMany(s => Enumerable.Range(measuredFrom, changes - measuredFrom).Select(c => (Arrival: _arrived[((long)s * changes) + c], Change: c))).Where(p => p.Arrival != 0).Select(p => p.Arrival - Sent[p.Change])];
    }
}
