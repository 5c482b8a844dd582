using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Discovery.Tests;

/// <summary>The registrar against a real ZooKeeper: what lands in the znodes, and what survives session trouble.</summary>
public sealed class ServiceRegistrarTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ServiceName Web = ServiceName.Parse("web");
    private ZooKeeperServer _server = null!;
    private ZooKeeperClient _observer = null!;

    public async Task InitializeAsync()
    {
        _server = await ZooKeeperServer.StartAsync();
        _observer = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
    }

    public async Task DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_registration_is_an_ephemeral_znode_of_curator_json_owned_by_the_registrar_session()
    {
        await using var registrar = new ServiceRegistrar(Options(_server.ConnectString));
        await using var registration = await registrar.RegisterAsync(Instance("i1", weight: 12));

        Assert.Equal("/services/web/i1", registration.Path);
        var node = await _observer.GetDataAsync("/services/web/i1");
        Assert.Equal(registrar.SessionId, node.Stat.EphemeralOwner);
        var decoded = ServiceInstanceCodec.Decode(node.Data, "web", "i1", null);
        Assert.True(decoded.IsSuccess, decoded.Error);
        Assert.Equal(("10.0.0.1", 8080, 12), (decoded.Instance!.Address, decoded.Instance.Port, decoded.Instance.Weight));

        // The service node is a container: ZooKeeper collects it once empty.
        Assert.Equal(0, (await _observer.ExistsAsync("/services/web"))!.EphemeralOwner);
    }

    [Fact]
    public async Task A_registrar_with_an_acl_locks_the_service_node_it_creates_to_that_acl()
    {
        IReadOnlyList<Acl> acl = [Acl.Digest(Permissions.All, "svc-web", "web-pw"), Acl.Digest(Permissions.Read, "registry", "registry-pw")];
        await using var owner = new ServiceRegistrar(Options(_server.ConnectString, AuthInfo.Digest("svc-web", "web-pw")), acl: acl);
        await owner.RegisterAsync(Instance("i1"));

        // ZooKeeper 3.8 shows the digests of an ACL only to who has ADMIN on the node: the owner.
        await using var admin = await ZooKeeperClient.ConnectAsync(Options(_server.ConnectString, AuthInfo.Digest("svc-web", "web-pw")));
        Assert.Equal(acl, (await admin.GetAclAsync("/services/web")).Acl);
        Assert.Equal(acl, (await admin.GetAclAsync("/services/web/i1")).Acl);
        await using var registry = await ZooKeeperClient.ConnectAsync(Options(_server.ConnectString, AuthInfo.Digest("registry", "registry-pw")));
        Assert.Equal(["i1"], (await registry.GetChildrenAsync("/services/web")).Children);
        await Assert.ThrowsAsync<NoAuthException>(() => _observer.GetChildrenAsync("/services/web"));

        // Anyone else is refused, and says so at once (no retries: it cannot get better).
        await using var stranger = new ServiceRegistrar(Options(_server.ConnectString));
        var refused = await Assert.ThrowsAsync<NoAuthException>(() => stranger.RegisterAsync(Instance("i2")).WaitAsync(Deadline));
        Assert.Equal("/services/web/i2", refused.Path);
    }

    [Fact]
    public async Task Disposing_a_registration_deregisters_at_once_and_the_registrar_takes_the_rest()
    {
        var registrar = new ServiceRegistrar(Options(_server.ConnectString));
        var one = await registrar.RegisterAsync(Instance("i1"));
        await registrar.RegisterAsync(Instance("i2"));
        await registrar.RegisterAsync(Instance("j1", service: "api"));

        await one.DisposeAsync();
        Assert.Null(await _observer.ExistsAsync("/services/web/i1"));
        Assert.NotNull(await _observer.ExistsAsync("/services/web/i2"));

        await registrar.DisposeAsync();
        Assert.Null(await _observer.ExistsAsync("/services/web/i2"));
        Assert.Null(await _observer.ExistsAsync("/services/api/j1"));
    }

    [Fact]
    public async Task Status_and_weight_updates_reach_the_znode()
    {
        await using var registrar = new ServiceRegistrar(Options(_server.ConnectString));
        await using var registration = await registrar.RegisterAsync(Instance("i1"));

        await registration.SetStatusAsync(InstanceStatus.Draining);
        await registration.SetWeightAsync(42);

        var node = await _observer.GetDataAsync(registration.Path);
        var decoded = ServiceInstanceCodec.Decode(node.Data, "web", "i1", null).Instance!;
        Assert.Equal((InstanceStatus.Draining, 42), (decoded.Status, decoded.Weight));
        Assert.Equal(2, node.Stat.Version);
        await Assert.ThrowsAsync<ArgumentException>(() => registration.UpdateAsync(Instance("other")));
        await Assert.ThrowsAsync<ArgumentException>(() => registrar.RegisterAsync(Instance("i1")));
    }

    [Fact]
    public async Task A_node_left_by_another_session_is_replaced_not_duplicated()
    {
        // A previous run of the service: its session is still alive on the ensemble.
        await using var previous = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        await previous.CreateAsync("/services", default);
        await previous.CreateAsync("/services/web", default, CreateMode.Container);
        await previous.CreateAsync("/services/web/i1", "{\"name\":\"web\",\"address\":\"10.9.9.9\",\"port\":1}"u8.ToArray(), CreateMode.Ephemeral);

        await using var registrar = new ServiceRegistrar(Options(_server.ConnectString));
        await registrar.RegisterAsync(Instance("i1"));

        var node = await _observer.GetDataAsync("/services/web/i1");
        Assert.Equal(registrar.SessionId, node.Stat.EphemeralOwner);
        Assert.Equal("10.0.0.1", ServiceInstanceCodec.Decode(node.Data, "web", "i1", null).Instance!.Address);
        Assert.Equal(["i1"], (await _observer.GetChildrenAsync("/services/web")).Children);
    }

    [Fact]
    public async Task After_session_expiry_every_registration_is_written_again_on_a_new_session()
    {
        await using var proxy = await TcpProxy.StartAsync(_server.EndPoint);
        await using var registrar = new ServiceRegistrar(Options(proxy.ConnectString));
        await registrar.RegisterAsync(Instance("i1"));
        await registrar.RegisterAsync(Instance("i2"));
        var first = registrar.SessionId;

        // Expire the registrar's session: partition it, end the session with a second connection, heal.
        proxy.Blackhole();
        await using (var twin = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectString = _server.ConnectString,
            SessionId = first,
            SessionPassword = await SessionPasswordAsync(registrar),
        }))
        {
            await twin.CloseAsync();
        }

        proxy.Restore();
        await EventuallyAsync(async () =>
        {
            var one = await _observer.ExistsAsync("/services/web/i1");
            var two = await _observer.ExistsAsync("/services/web/i2");
            return registrar.SessionId != first && one?.EphemeralOwner == registrar.SessionId && two?.EphemeralOwner == registrar.SessionId;
        }, "both instances registered again on the new session");
        Assert.Equal(["i1", "i2"], (await _observer.GetChildrenAsync("/services/web")).Children.Order(StringComparer.Ordinal));
    }

    /// <summary>The registrar's session password, through its client, for the same-session expiry trick.</summary>
    private static Task<ReadOnlyMemory<byte>> SessionPasswordAsync(ServiceRegistrar registrar) =>
        Task.FromResult(registrar.SessionPasswordForTests);

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string description)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {description}");
            await Task.Delay(50);
        }
    }

    private static ZooKeeperClientOptions Options(string connectString, AuthInfo? credential = null) => new()
    {
        ConnectString = connectString,
        SessionTimeout = TimeSpan.FromSeconds(6),
        Credentials = credential is null ? [] : [credential],
    };

    private static ServiceInstance Instance(string id, string service = "web", int? weight = null) => new()
    {
        Service = ServiceName.Parse(service),
        Id = id,
        Address = "10.0.0.1",
        Port = 8080,
        Weight = weight,
    };
}
