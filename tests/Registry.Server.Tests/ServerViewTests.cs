using System.Diagnostics;
using System.Text;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests;

/// <summary>The server as a process over a real ZooKeeper, with registrants as processes: what the HTTP view shows.</summary>
public sealed class ServerViewTests : IAsyncLifetime
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
    public async Task Registrants_join_the_view_leave_it_at_once_on_stop_and_after_their_session_timeout_when_killed()
    {
        await using var server = await StartServerAsync(_zk.ConnectString);

        using var graceful = RegistrantProcess.Start(_zk.ConnectString, "web", "ap1", "127.0.0.1", 4070, "30s");
        using var killed = RegistrantProcess.Start(_zk.ConnectString, "web", "k1", "10.9.9.9", 5000, "2s");
        await server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1", "k1"]), Deadline, "both registrants are in the view");
        var web = await server.GetServiceAsync("web");
        Assert.Equal("hybrid", web.Service.GetProperty("mode").GetString());
        Assert.Equal("live", web.StateOf("ap1.hosts.svc.example."));          // matched to its declared target by address and port
        Assert.Equal("missing", web.StateOf("ap2.hosts.svc.example."));       // declared, not running: drift
        Assert.Equal("undeclared", web.StateOf("k1.web.svc.example."));
        Assert.Equal(["ap1.hosts.svc.example.", "k1.web.svc.example."], web.Answer);

        // SIGTERM: the registrant deregisters as it stops, long before its 30 s session would time out.
        var stopped = Stopwatch.StartNew();
        await RegistryServerProcess.KillAsync("TERM", graceful.Id);
        await server.UntilServiceAsync("web", v => v.StateOf("ap1.hosts.svc.example.") == "missing", TimeSpan.FromSeconds(10), "ap1 left at once");
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"took {stopped.Elapsed}");

        // SIGKILL: nothing deregisters; ZooKeeper drops the instance when its 2 s session expires.
        killed.Kill();
        await killed.WaitForExitAsync();
        Assert.Contains("k1", (await server.GetServiceAsync("web")).Registered);
        await server.UntilServiceAsync("web", v => v.Registered.Count == 0, Deadline, "k1 left after its session timeout");

        // Nothing live: the panic floor serves the declared set, flagged degraded, rather than nothing.
        web = await server.GetServiceAsync("web");
        Assert.True(web.Service.GetProperty("degraded").GetBoolean());
        Assert.Equal(["ap1.hosts.svc.example.", "ap2.hosts.svc.example."], web.Answer);
        Assert.False(web.Stale);
    }

    [Fact]
    public async Task A_garbage_registration_is_skipped_and_counted_and_the_rest_of_the_service_still_serves()
    {
        await using var zk = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        await zk.CreateAsync("/services", default);
        await zk.CreateAsync("/services/web", default);
        await zk.CreateAsync("/services/web/bad", Encoding.UTF8.GetBytes("{not json"));
        await using var server = await StartServerAsync(_zk.ConnectString);

        using var registrant = RegistrantProcess.Start(_zk.ConnectString, "web", "ap1", "127.0.0.1", 4070, "10s");
        await server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1"]), Deadline, "ap1 is in the view");

        var all = await server.GetJsonAsync("/v1/services");
        Assert.True(all.GetProperty("view").GetProperty("counts").GetProperty("skippedRegistrations").GetInt64() >= 1);
        Assert.Contains("/services/web/bad", server.Output, StringComparison.Ordinal);
        Assert.Equal(["ap1.hosts.svc.example."], (await server.GetServiceAsync("web")).Answer);
        registrant.Kill();
    }

    [Fact]
    public async Task The_view_is_marked_stale_while_zookeeper_is_unreachable_and_resyncs_after()
    {
        await using var proxy = await TcpProxy.StartAsync(_zk.EndPoint);
        await using var zk = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        await zk.CreateAsync("/services", default);
        await zk.CreateAsync("/services/web", default, CreateMode.Container);
        await zk.CreateAsync("/services/web/ap1", Curator("ap1", "127.0.0.1", 4070), CreateMode.Ephemeral);
        await using var server = await StartServerAsync(proxy.ConnectString, "--session-timeout", "4s");
        await server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1"]) && !v.Stale, Deadline, "ap1 is in a fresh view");

        proxy.Blackhole();
        await server.UntilServiceAsync("web", v => v.Stale, Deadline, "the view is stale");

        // Changes the server cannot see: the frozen view keeps serving what it had.
        await zk.DeleteAsync("/services/web/ap1");
        await zk.CreateAsync("/services/web/ap9", Curator("ap9", "10.0.0.9", 4070), CreateMode.Ephemeral);
        var frozen = await server.GetServiceAsync("web");
        Assert.Equal(["ap1"], frozen.Registered);
        Assert.True(frozen.Stale);

        proxy.Restore();
        await server.UntilServiceAsync("web", v => !v.Stale && v.Registered.SequenceEqual(["ap9"]), Deadline, "resynced with exactly what ZooKeeper holds");
    }

    [Fact]
    public async Task A_registrant_whose_session_expired_is_registered_again_never_duplicated_never_lost()
    {
        await using var server = await StartServerAsync(_zk.ConnectString);
        await using var proxy = await TcpProxy.StartAsync(_zk.EndPoint);
        await using var registrar = new ServiceRegistrar(new ZooKeeperClientOptions { ConnectString = proxy.ConnectString, SessionTimeout = TimeSpan.FromSeconds(4) });
        await registrar.RegisterAsync(Instance("ap1", "127.0.0.1"));
        await registrar.RegisterAsync(Instance("i2", "10.0.0.22"));
        var first = registrar.SessionId;
        await server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1", "i2"]), Deadline, "both instances are in the view");

        // Expire the registrar's session: partition it, end the session with a second connection, heal.
        proxy.Blackhole();
        await using (var twin = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = _zk.ConnectString,
            SessionId = first,
            SessionPassword = registrar.SessionPasswordForTests,
        }))
        {
            await twin.CloseAsync();
        }

        proxy.Restore();
        await server.UntilServiceAsync(
            "web",
            v => registrar.SessionId != first && v.Sessions.SequenceEqual([Hex(registrar.SessionId), Hex(registrar.SessionId)]),
            Deadline,
            "both instances are registered again, on the new session");
        var web = await server.GetServiceAsync("web");
        Assert.Equal(["ap1", "i2"], web.Registered);
        Assert.Equal("live", web.StateOf("ap1.hosts.svc.example."));
    }

    internal static byte[] Curator(string id, string address, int port) => Encoding.UTF8.GetBytes(
        $$"""{"name":"web","id":"{{id}}","address":"{{address}}","port":{{port}},"payload":null,"registrationTimeUTC":0,"serviceType":"DYNAMIC","uriSpec":null}""");

    private static ServiceInstance Instance(string id, string address) => new()
    {
        Service = ServiceName.Parse("web"),
        Id = id,
        Address = address,
        Port = 4070,
    };

    private static string Hex(long session) => $"0x{session:x}";

    private async Task<RegistryServerProcess> StartServerAsync(string connectString, params string[] extra)
    {
        var server = RegistryServerProcess.Start([
            "--zookeeper", connectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, .. extra]);
        await server.WaitReadyAsync();
        return server;
    }
}
