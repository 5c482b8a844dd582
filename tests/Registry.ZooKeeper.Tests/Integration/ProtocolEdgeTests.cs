using Microsoft.Extensions.Logging;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

/// <summary>Protocol corners that only show against a real server: xid wrap and large watch sets.</summary>
[Collection(ZooKeeperCollection.Name)]
public class ProtocolEdgeTests(ZooKeeperFixture fixture, ITestOutputHelper output) : ZooKeeperTestBase(fixture, output)
{
    [Fact]
    public async Task Xids_wrap_past_int_max_without_confusing_replies()
    {
        await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = Server.ConnectString + Root,
            InitialXid = int.MaxValue - 50,
            LoggerFactory = Loggers,
        });

        // 200 pipelined creates cross the wrap (MaxValue-49 .. MaxValue, then 1, 2, ...); each reply must match its request.
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => zk.CreateAsync($"/n{i}", BitConverter.GetBytes(i))));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"/n{i}"), results.Select(r => r.Path));
        var reads = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => zk.GetDataAsync($"/n{i}")));
        Assert.Equal(Enumerable.Range(0, 200), reads.Select(r => BitConverter.ToInt32(r.Data)));
        Assert.Equal(SessionState.Connected, zk.State);
    }

    [Fact]
    public async Task More_than_128_kB_of_watches_are_rearmed_in_chunks_and_all_fire()
    {
        await using var proxy = await TcpProxy.StartAsync(Server.EndPoint);
        var captured = new CapturingLoggerProvider();
        using var capture = LoggerFactory.Create(b => b.AddProvider(captured).SetMinimumLevel(LogLevel.Debug));
        await using var zk = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = proxy.ConnectString + Root,
            SessionTimeout = TimeSpan.FromSeconds(10),
            LoggerFactory = capture,
        });

        // 3,000 exists watches on absent nodes with ~60-byte names: about 200 kB of paths.
        var watcher = new RecordingWatcher();
        var paths = Enumerable.Range(0, 3000).Select(i => $"/watch-{i:D5}-{new string('x', 40)}").ToArray();
        await Task.WhenAll(paths.Select(p => zk.ExistsAsync(p, watcher)));

        proxy.CutAll();
        await EventuallyAsync(() => Task.FromResult(zk.State == SessionState.Connected && proxy.AcceptedConnections >= 2), "reconnected");
        var rearmed = await captured.WaitForAsync("Re-armed", Deadline);

        Output.WriteLine(rearmed);
        // Server paths carry the chroot; every chunk stays under 128 kB.
        var bytes = paths.Sum(p => System.Text.Encoding.UTF8.GetByteCount(Root + p) + 4);
        var chunks = (int)Math.Ceiling(bytes / (128.0 * 1024));
        Assert.True(chunks >= 2, $"{bytes} bytes of paths should need several chunks");
        Assert.Contains($"Re-armed 3000 watches in {chunks} setWatches2", rearmed, StringComparison.Ordinal);

        await using var writer = await ZooKeeperClient.ConnectAsync(Server.ConnectString + Root);
        var probes = new[] { paths[0], paths[1499], paths[2999] };
        foreach (var path in probes)
        {
            await writer.CreateAsync(path, default);
        }

        var fired = new HashSet<string>();
        for (var i = 0; i < probes.Length; i++)
        {
            fired.Add((await watcher.NextAsync()).Path!);
        }

        Assert.Equal(probes.ToHashSet(), fired);
    }
}
