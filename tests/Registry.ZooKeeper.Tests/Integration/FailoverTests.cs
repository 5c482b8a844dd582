using System.Net;
using Microsoft.Extensions.Logging;
using Registry.Server.Embedded;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnsembleCollection
{
    public const string Name = "ensemble";
}

[Collection(EnsembleCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly ILoggerFactory _loggers =
        LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Debug));

    private ZooKeeperEnsemble _ensemble = null!;

    public async Task InitializeAsync() => _ensemble = await ZooKeeperEnsemble.StartAsync(3);

    public async Task DisposeAsync()
    {
        await _ensemble.DisposeAsync();
        _loggers.Dispose();
    }

    [Fact]
    public async Task Killing_the_connected_member_moves_the_session_and_keeps_its_ephemeral_nodes()
    {
        var states = Channel();
        await using var zk = await ConnectAsync(_ensemble, states);
        await zk.CreateAsync("/registry-failover", default);
        var ephemeral = await zk.CreateAsync("/registry-failover/instance", "payload"u8.ToArray(), CreateMode.Ephemeral);
        var sessionId = zk.SessionId;

        var connectedTo = (IPEndPoint)zk.ConnectedServer!;
        var member = _ensemble.Members.Single(m => m.EndPoint.Port == connectedTo.Port);
        output.WriteLine($"client on member {member.ServerId} ({connectedTo}); killing it");
        await member.KillAsync();

        await NextAsync(states, SessionState.Suspended);
        await NextAsync(states, SessionState.Connected);
        var now = (IPEndPoint)zk.ConnectedServer!;
        Assert.NotEqual(connectedTo.Port, now.Port);
        Assert.Equal(sessionId, zk.SessionId);

        // Seen by an independent client on a surviving member, too.
        var survivor = _ensemble.Members.First(m => m.IsRunning);
        await using var observer = await ZooKeeperClient.ConnectAsync(survivor.ConnectString);
        await observer.SyncAsync("/registry-failover/instance");
        var stat = await observer.ExistsAsync("/registry-failover/instance");
        Assert.NotNull(stat);
        Assert.Equal(sessionId, stat.EphemeralOwner);
        Assert.Equal(ephemeral.Stat!.Czxid, stat.Czxid);

        // Writes keep working through the new member.
        await zk.SetDataAsync("/registry-failover/instance", "moved"u8.ToArray());
        Assert.Equal("moved"u8.ToArray(), (await observer.GetDataAsync("/registry-failover/instance")).Data);
    }

    [Fact]
    public async Task Watches_follow_the_session_to_another_member()
    {
        var events = Channel<WatchedEvent>();
        var states = Channel();
        await using var zk = await ConnectAsync(_ensemble, states);
        await zk.CreateAsync("/watched", default);
        await zk.AddWatchAsync("/watched", Watcher.Create(e => events.Writer.TryWrite(e)), AddWatchMode.PersistentRecursive);

        var connectedTo = (IPEndPoint)zk.ConnectedServer!;
        await _ensemble.Members.Single(m => m.EndPoint.Port == connectedTo.Port).KillAsync();

        // The queue starts with the first Connected: wait for the loss, then the reconnect.
        await NextAsync(states, SessionState.Suspended);
        await NextAsync(states, SessionState.Connected);

        var survivor = _ensemble.Members.First(m => m.IsRunning);
        await using var writer = await ZooKeeperClient.ConnectAsync(survivor.ConnectString);
        await writer.CreateAsync("/watched/child", default);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var e = await events.Reader.ReadAsync(deadline.Token);
        Assert.Equal((WatchEventType.NodeCreated, "/watched/child"), (e.Type, e.Path));
    }

    [Fact]
    public async Task Without_quorum_a_read_only_session_serves_reads_and_a_new_session_follows_when_quorum_returns()
    {
        // ZooKeeper 3.8 serves read-only clients only through local sessions (it refuses global sessions in RO mode).
        var options = new ZooKeeperServerOptions();
        options.SystemProperties["readonlymode.enabled"] = "true";
        options.ExtraConfig["localSessionsEnabled"] = "true";
        options.ExtraConfig["localSessionsUpgradingEnabled"] = "true";
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(3, options);
        await using (var setup = await ZooKeeperClient.ConnectAsync(ensemble.ConnectString))
        {
            await setup.CreateAsync("/config", "v1"u8.ToArray());
        }

        await LoseQuorumAsync(ensemble);

        var states = Channel();
        await using var zk = await ConnectAsync(ensemble, states, canBeReadOnly: true);
        Assert.Equal(SessionState.ConnectedReadOnly, zk.State);
        Assert.Equal("v1"u8.ToArray(), (await zk.GetDataAsync("/config")).Data);
        await Assert.ThrowsAsync<NotReadOnlyException>(() => zk.SetDataAsync("/config", "v2"u8.ToArray()));
        var readOnlySession = zk.SessionId;

        // Quorum returns: the client leaves the read-only server and, since its session was local to it, gets a new
        // one from the read-write ensemble instead of being told its session expired.
        await ensemble.Members[1].StartAgainAsync();
        await ensemble.WaitForQuorumAsync();
        await NextAsync(states, SessionState.Connected);
        Assert.NotEqual(readOnlySession, zk.SessionId);
        await zk.SetDataAsync("/config", "v2"u8.ToArray());
        Assert.Equal("v2"u8.ToArray(), (await zk.GetDataAsync("/config")).Data);
    }

    [Fact]
    public async Task A_refused_new_session_on_a_read_only_server_is_reported_with_its_reason()
    {
        var options = new ZooKeeperServerOptions();
        options.SystemProperties["readonlymode.enabled"] = "true";
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(3, options);
        await LoseQuorumAsync(ensemble);

        var captured = new CapturingLoggerProvider();
        using var capture = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).AddProvider(captured));
        var ex = await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = ensemble.Members[0].ConnectString,
            CanBeReadOnly = true,
            InitialConnectTimeout = TimeSpan.FromSeconds(3),
            LoggerFactory = capture,
        }));
        Assert.Contains("within", ex.Message, StringComparison.Ordinal);

        // ZooKeeper 3.8 opens new sessions on a read-only server only with local sessions enabled.
        await captured.WaitForAsync("NotReadOnly: the server refused to open the session", TimeSpan.FromSeconds(5));
    }

    /// <summary>Kills members 1 and 2 and waits until member 0, alone, serves in read-only mode.</summary>
    private static async Task LoseQuorumAsync(ZooKeeperEnsemble ensemble)
    {
        await ensemble.Members[1].KillAsync();
        await ensemble.Members[2].KillAsync();
        await Poll.UntilAsync(
            async ct => (await FourLetterWord.SendAsync(ensemble.Members[0].EndPoint, "isro", ct)) == "ro",
            TimeSpan.FromSeconds(30),
            "survivor in read-only mode");
    }

    private Task<ZooKeeperClient> ConnectAsync(ZooKeeperEnsemble ensemble, System.Threading.Channels.Channel<SessionState> states, bool canBeReadOnly = false) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = ensemble.ConnectString,
            CanBeReadOnly = canBeReadOnly,
            SessionTimeout = TimeSpan.FromSeconds(10),
            SessionWatcher = Watcher.Create(e => states.Writer.TryWrite(e.State)),
            LoggerFactory = _loggers,
        });

    private static System.Threading.Channels.Channel<SessionState> Channel() => Channel<SessionState>();

    private static System.Threading.Channels.Channel<T> Channel<T>() => System.Threading.Channels.Channel.CreateUnbounded<T>();

    private static async Task NextAsync(System.Threading.Channels.Channel<SessionState> states, SessionState wanted)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await states.Reader.ReadAsync(deadline.Token) != wanted)
        {
        }
    }
}
