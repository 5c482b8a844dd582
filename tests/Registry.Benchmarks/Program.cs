using Registry.Benchmarks;

// One console app, one subcommand per benchmark; results go to stdout as JSON lines, progress to stderr.
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C stops the run and still cleans up; a second one kills the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return args switch
{
    [] => Usage(Console.Error, 2),
    ["--help" or "-h" or "help"] => Usage(Console.Out, 0),
    ["zk-client", .. var rest] => await ZkClientBenchmark.RunAsync(rest, cancellation.Token),
    ["propagation", .. var rest] => await PropagationBenchmark.RunAsync(rest, cancellation.Token),
    ["dns-index", .. var rest] => DnsIndexBenchmark.Run(rest),
    ["watch-streams", .. var rest] => await WatchStreamsBenchmark.RunAsync(rest, cancellation.Token),
    _ => Unknown(args[0]),
};

static int Usage(TextWriter writer, int exitCode)
{
    writer.WriteLine("""
        usage: Registry.Benchmarks <command> [args]

        commands:
          zk-client <connectString> [ops=50000] [inflight=1000] [payload=200] [samples=2000] [root=/bench-dotnet-<rand>] [warmup=5000]
              Registry.ZooKeeper's client under the load of deploy/bench/zk-client/ZkClientBench.java:
              pipelined create and getData of <ops> nodes with at most <inflight> outstanding,
              then one-at-a-time create and getData latency over <samples> nodes.
              Prints one JSON line per phase; deploy/bench/zk-client/run.sh compares it with the Java client.
          propagation <connectString> [--sizes 10,1000,100000] [--samples 1000] [--warmup 200] [--per-service 100] [--inflight 1000] [--verify true]
              A registration change in ZooKeeper to the published ViewSnapshot (the server's watcher and view loop),
              one change at a time, with each size of instances registered; plus cold start and heap per instance.
              Prints one JSON line per phase; deploy/bench/propagation/run.sh turns them into a table.
          dns-index [services=2000] [rounds=200]
              The DNS answer engine's index of a generated zone (8 records and 2 registrations per service): a full
              build vs an incremental one after one registration changed. No ZooKeeper. One JSON line per phase.
          watch-streams <connectString> <grpcAddress> [--base-path /services] [--streams 10000] [--connections 100] [--changes 20] [--warmup 2] [--interval-ms 300] [--server-pid PID]
              Many concurrent gRPC Watch streams on a running registry-server (spread over --connections HTTP/2
              connections): a probe instance created and deleted in ZooKeeper, timed to its delivery at every stream
              (p50/p99/max), and the server's RSS from /proc/PID/status. deploy/bench/watch/run.sh starts the servers.
        """);
    return exitCode;
}

static int Unknown(string command)
{
    Console.Error.WriteLine($"unknown command '{command}'; see --help");
    return 2;
}
