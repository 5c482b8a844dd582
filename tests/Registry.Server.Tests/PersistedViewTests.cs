using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>A server restarted while ZooKeeper is down serves the last good view at once, marked stale, until ZooKeeper is back.</summary>
public sealed class PersistedViewTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestZones _zones = new();
    private ZooKeeperServer _zk = null!;

    public async Task InitializeAsync() => _zk = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _zk.DisposeAsync();
        _zones.Dispose();
    }

    [Fact]
    public async Task A_restart_during_an_outage_serves_the_persisted_view_marked_stale()
    {
        string[] args = ["--zookeeper", _zk.ConnectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--session-timeout", "4s"];
        var viewFile = Path.Combine(_zones.DataDirectory, "view.json");
        await using (var zk = await ZooKeeperClient.ConnectAsync(_zk.ConnectString))
        {
            await zk.CreateAsync("/services", default);
            await zk.CreateAsync("/services/web", default);
            await zk.CreateAsync("/services/web/ap1", ServerViewTests.Curator("ap1", "127.0.0.1", 4070));
            await zk.CreateAsync("/services/web/ap7", ServerViewTests.Curator("ap7", "10.0.0.7", 4070));
        }

        await using (var first = RegistryServerProcess.Start(args))
        {
            await first.WaitReadyAsync();
            await first.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1", "ap7"]) && !v.Stale, Deadline, "both instances are in a fresh view");
            await Poll.UntilAsync(() => File.Exists(viewFile) && File.ReadAllText(viewFile).Contains("ap7", StringComparison.Ordinal), Deadline, "the view is persisted");
            await first.StopAsync();
            Assert.Equal(0, first.ExitCode);
        }

        await _zk.KillAsync();
        await using var second = RegistryServerProcess.Start(args);
        await second.WaitReadyAsync();
        var web = await second.GetServiceAsync("web");
        Assert.True(web.Stale);
        Assert.Equal(["ap1", "ap7"], web.Registered);
        Assert.Equal(["ap1.hosts.svc.example.", "ap7.web.svc.example."], web.Answer);
        Assert.Contains("serving the persisted view", second.Output, StringComparison.Ordinal);

        // ZooKeeper is back (with the same persistent nodes): the view turns fresh without a restart.
        await _zk.StartAgainAsync();
        await second.UntilServiceAsync("web", v => !v.Stale && v.Registered.SequenceEqual(["ap1", "ap7"]), TimeSpan.FromSeconds(60), "fresh again");
    }

    [Fact]
    public async Task A_corrupt_view_file_is_reported_and_does_not_stop_the_server()
    {
        Directory.CreateDirectory(_zones.DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(_zones.DataDirectory, "view.json"), "{\"format\":1,\"zxid\":");
        await using var server = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory]);
        await server.WaitReadyAsync();
        await server.UntilServiceAsync("web", v => !v.Stale, Deadline, "the view is fresh from ZooKeeper");
        Assert.Contains("could not read the persisted view", server.Output, StringComparison.Ordinal);
    }
}
