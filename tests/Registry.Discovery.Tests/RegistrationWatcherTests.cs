using System.Text;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Testing;
using Registry.ZooKeeper;
using static Registry.Discovery.Tests.WatcherStates;

namespace Registry.Discovery.Tests;

/// <summary>The watcher against a real ZooKeeper: initial load, incremental changes, bad data, partitions, expiry.</summary>
public sealed class RegistrationWatcherTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ZooKeeperServer _server = null!;
    private ZooKeeperClient _zk = null!;

    public async Task InitializeAsync()
    {
        _server = await ZooKeeperServer.StartAsync();
        _zk = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        await _zk.CreateAsync("/services", default);
    }

    public async Task DisposeAsync()
    {
        await _zk.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_initial_load_sees_every_registration_and_skips_bad_ones_without_losing_the_rest()
    {
        await CreateAsync("/services/web", CreateMode.Persistent);
        await CreateAsync("/services/web/i1", CreateMode.Ephemeral, Curator("web", "i1", "10.0.0.1", 8080));
        await CreateAsync("/services/web/i2", CreateMode.Ephemeral, Curator("web", "i2", "10.0.0.2", 8080));
        await CreateAsync("/services/web/garbage", CreateMode.Ephemeral, "{not json");
        await CreateAsync("/services/bad_name", CreateMode.Persistent);
        await CreateAsync("/services/empty", CreateMode.Persistent);

        await using var watcher = await StartAsync(_server.ConnectString);
        Assert.False(watcher.IsStale);
        Assert.Equal(["empty: ", "web: i1 i2"], Render(watcher.Current));
        Assert.Equal(2, watcher.SkippedRegistrations);

        var i1 = watcher.Current.Services[ServiceName.Parse("web")].Single(i => i.Id == "i1");
        Assert.Equal("/services/web/i1", i1.Source!.Path);
        Assert.Equal(_zk.SessionId, i1.Source.EphemeralOwner);
        Assert.Equal(await TruthAsync(), Render(watcher.Current));
    }

    [Fact]
    public async Task Changes_are_applied_as_they_happen()
    {
        await using var watcher = await StartAsync(_server.ConnectString);
        Assert.Empty(watcher.Current.Services);

        await using var registrar = new ServiceRegistrar(new ZooKeeperClientOptions { ConnectString = _server.ConnectString });
        var registration = await registrar.RegisterAsync(new ServiceInstance { Service = ServiceName.Parse("web"), Id = "i1", Address = "10.0.0.1", Port = 80 });
        await UntilAsync(watcher, s => Render(s).SequenceEqual(["web: i1"]), "i1 registered");

        await registration.SetStatusAsync(InstanceStatus.Draining);
        await UntilAsync(watcher, s => s.Services[ServiceName.Parse("web")].Single().Status == InstanceStatus.Draining, "i1 draining");

        await _zk.SetDataAsync("/services/web/i1", Encoding.UTF8.GetBytes("garbage"));
        await UntilAsync(watcher, s => Render(s).SequenceEqual(["web: "]), "undecodable i1 left out");
        Assert.Equal(1, watcher.SkippedRegistrations);

        await registration.DisposeAsync();
        await UntilAsync(watcher, s => Render(s).SequenceEqual(["web: "]) || s.Services.Count == 0, "i1 deregistered");
        Assert.Equal(await TruthAsync(), Render(watcher.Current));
    }

    [Fact]
    public async Task Two_watchers_on_the_same_state_agree_on_content_and_zxid()
    {
        await CreateAsync("/services/web", CreateMode.Persistent);
        await using var first = await StartAsync(_server.ConnectString);
        for (var i = 0; i < 20; i++)
        {
            await CreateAsync($"/services/web/i{i}", CreateMode.Ephemeral, Curator("web", $"i{i}", $"10.0.0.{i}", 80));
        }

        await _zk.DeleteAsync("/services/web/i3");
        await _zk.SetDataAsync("/services/web/i4", Encoding.UTF8.GetBytes(Curator("web", "i4", "10.9.9.9", 81)));
        await UntilAsync(first, s => s.Services[ServiceName.Parse("web")].Count == 19 && s.Services[ServiceName.Parse("web")].Any(i => i.Address == "10.9.9.9"), "all changes applied");

        // A second watcher loading the same state from scratch reaches the same zxid as the first did incrementally.
        await using var second = await StartAsync(_server.ConnectString);
        Assert.Equal(Render(first.Current), Render(second.Current));
        Assert.Equal(first.Current.Zxid, second.Current.Zxid);
    }

    [Fact]
    public async Task After_a_partition_the_view_equals_zookeeper_exactly()
    {
        await CreateAsync("/services/web", CreateMode.Persistent);
        await CreateAsync("/services/web/stays", CreateMode.Persistent, Curator("web", "stays", "10.0.0.1", 80));
        await CreateAsync("/services/web/goes", CreateMode.Persistent, Curator("web", "goes", "10.0.0.2", 80));
        await using var proxy = await TcpProxy.StartAsync(_server.EndPoint);
        await using var watcher = await StartAsync(proxy.ConnectString, TimeSpan.FromSeconds(4));

        proxy.Blackhole();
        await UntilAsync(watcher, _ => watcher.IsStale, "stale while partitioned");
        var frozen = Render(watcher.Current);

        // Instances come and go while the watcher cannot see: ZooKeeper will not replay any of it.
        await _zk.DeleteAsync("/services/web/goes");
        await CreateAsync("/services/web/new", CreateMode.Persistent, Curator("web", "new", "10.0.0.3", 80));
        await _zk.SetDataAsync("/services/web/stays", Encoding.UTF8.GetBytes(Curator("web", "stays", "10.0.0.9", 80)));
        await CreateAsync("/services/api", CreateMode.Persistent);
        await CreateAsync("/services/api/a1", CreateMode.Persistent, Curator("api", "a1", "10.1.0.1", 90));
        Assert.Equal(frozen, Render(watcher.Current));

        proxy.Restore();
        await UntilAsync(watcher, s => !watcher.IsStale && Render(s).SequenceEqual(["api: a1", "web: new stays"]), "resynced");
        Assert.Equal(await TruthAsync(), Render(watcher.Current));
        Assert.Equal("10.0.0.9", watcher.Current.Services[ServiceName.Parse("web")].Single(i => i.Id == "stays").Address);
    }

    [Fact]
    public async Task After_its_session_expires_the_watcher_reloads_on_a_new_one()
    {
        await CreateAsync("/services/web", CreateMode.Persistent);
        await using var proxy = await TcpProxy.StartAsync(_server.EndPoint);
        var options = new ZooKeeperClientOptions { ConnectString = proxy.ConnectString, SessionTimeout = TimeSpan.FromSeconds(4) };
        await using var watcher = new RegistrationWatcher(options);
        await watcher.StartAsync();

        // Expire the watcher's session (partitioned meanwhile, so it cannot take the session back) and change the
        // state before it finds out.
        proxy.Blackhole();
        var (id, password) = watcher.SessionForTests;
        await using (var twin = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = _server.ConnectString, SessionId = id, SessionPassword = password }))
        {
            await twin.CloseAsync();
        }

        await CreateAsync("/services/web/late", CreateMode.Persistent, Curator("web", "late", "10.0.0.7", 80));
        proxy.Restore();

        await UntilAsync(watcher, s => !watcher.IsStale && Render(s).SequenceEqual(["web: late"]), "reloaded after expiry");
        Assert.Equal(await TruthAsync(), Render(watcher.Current));
    }

    private static async Task<RegistrationWatcher> StartAsync(string connectString, TimeSpan? sessionTimeout = null)
    {
        var watcher = new RegistrationWatcher(new ZooKeeperClientOptions { ConnectString = connectString, SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(10) });
        await watcher.StartAsync().WaitAsync(Deadline);
        return watcher;
    }

    /// <summary>"service: id id ..." per service, sorted: what the state holds.</summary>
    /// <summary>The same rendering, read straight from ZooKeeper (valid names and decodable data only).</summary>
    private async Task<List<string>> TruthAsync()
    {
        var lines = new List<string>();
        foreach (var service in (await _zk.GetChildrenAsync("/services")).Children.Where(DnsLabelOk).Order(StringComparer.Ordinal))
        {
            var ids = new List<string>();
            foreach (var id in (await _zk.GetChildrenAsync($"/services/{service}")).Children)
            {
                var data = await _zk.GetDataAsync($"/services/{service}/{id}");
                if (ServiceInstanceCodec.Decode(data.Data, service, id, null).IsSuccess)
                {
                    ids.Add(id);
                }
            }

            lines.Add($"{service}: {string.Join(' ', ids.Order(StringComparer.Ordinal))}");
        }

        return lines;
    }

    private static bool DnsLabelOk(string name) => Registry.Core.Names.DnsLabel.IsValid(name);

    private Task CreateAsync(string path, CreateMode mode, string? data = null) =>
        _zk.CreateAsync(path, data is null ? default : Encoding.UTF8.GetBytes(data), mode);

    private static string Curator(string name, string id, string address, int port) =>
        $$"""{"name":"{{name}}","id":"{{id}}","address":"{{address}}","port":{{port}},"sslPort":null,"payload":null,"registrationTimeUTC":1700000000000,"serviceType":"DYNAMIC","uriSpec":null}""";
}
