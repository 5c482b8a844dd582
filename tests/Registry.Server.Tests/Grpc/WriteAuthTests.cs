using Grpc.Core;
using Registry.Client;
using Registry.Testing;
using Registry.ZooKeeper;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>
/// Register and Deregister with <c>--auth-tokens</c>, over real gRPC against the server process and a real ZooKeeper:
/// a bearer token is needed, and it must name the service. One server for the class; each test writes services of
/// its own.
/// </summary>
public sealed class WriteAuthTests(WriteAuthTests.Server server) : IClassFixture<WriteAuthTests.Server>
{
    private const string ApiToken = "api-token-6b1f0e";
    private const string PayToken = "pay-token-04d7a2";

    private GrpcServerFixture Fixture => server.Fixture;

    private V1.Registry.RegistryClient Client => server.Fixture.Client;

    [Fact]
    public async Task Register_without_a_known_bearer_token_is_unauthenticated_and_writes_nothing()
    {
        var missing = await RefusedAsync(null, "api", "anon");
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("Register needs a bearer token on this server: send the metadata 'authorization: Bearer <token>'", missing.Status.Detail, StringComparison.Ordinal);

        var wrong = await RefusedAsync(Bearer("not-a-token-of-this-server"), "api", "anon");
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("the bearer token is not one of this server's write tokens", wrong.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-token-of-this-server", wrong.Status.Detail, StringComparison.Ordinal);

        var basic = await RefusedAsync(new Metadata { { "authorization", "Basic " + ApiToken } }, "api", "anon");
        Assert.Equal(StatusCode.Unauthenticated, basic.StatusCode);
        Assert.Contains("is not 'Bearer <token>'", basic.Status.Detail, StringComparison.Ordinal);

        // Even an invalid instance is refused as unauthenticated: a caller without a token learns nothing of it.
        Assert.Equal(StatusCode.Unauthenticated, (await RefusedAsync(null, "bad name", "x_y")).StatusCode);

        // The scheme is case-insensitive (RFC 9110 §11.1); a lease through a written barrier shows nothing came before.
        using var lease = await LeaseAsync(new Metadata { { "authorization", "bearer " + ApiToken } }, "api", "barrier1");
        await Fixture.Server.UntilServiceAsync("api", v => v.Registered.Contains("barrier1"), WatchReader.Deadline, "the allowed lease is in the view");
        Assert.DoesNotContain("anon", (await Fixture.Server.GetServiceAsync("api")).Registered);
        // Refusals are logged at most once a second (the other tests' may have taken this second's line).
        await Poll.UntilAsync(() => Fixture.Server.Output.Contains("write refused (Unauthenticated): ", StringComparison.Ordinal), WatchReader.Deadline, "the refusal is logged");
        Assert.DoesNotContain("not-a-token-of-this-server", Fixture.Server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiToken, Fixture.Server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_with_a_token_for_other_services_is_permission_denied_and_writes_nothing()
    {
        var denied = await RefusedAsync(Bearer(ApiToken), "pay-gw", "p1");
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("may not write service 'pay-gw'", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("(it may write api)", denied.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.PermissionDenied, (await RefusedAsync(Bearer(PayToken), "api", "a1")).StatusCode);

        // The right tokens, pay-* included: their leases appear. The view follows ZooKeeper's order, so once the
        // later, allowed lease is in, a refused one written before it would be too.
        using var pay = await LeaseAsync(Bearer(PayToken), "pay-gw", "p2");
        await Fixture.Server.UntilServiceAsync("pay-gw", v => v.Registered.SequenceEqual(["p2"]), WatchReader.Deadline, "the allowed lease is in the view");
        using var api = await LeaseAsync(Bearer(ApiToken), "api", "a2");
        await Fixture.Server.UntilServiceAsync("api", v => v.Registered.Contains("a2"), WatchReader.Deadline, "the allowed lease is in the view");
        Assert.DoesNotContain("a1", (await Fixture.Server.GetServiceAsync("api")).Registered);

        await using var zk = await ZooKeeperClient.ConnectAsync(Fixture.ZooKeeper.ConnectString);
        Assert.Equal(["p2"], (await zk.GetChildrenAsync("/services/pay-gw")).Children);
        Assert.Null(await zk.ExistsAsync("/services/api/a1"));
    }

    [Fact]
    public async Task Deregister_needs_a_token_for_the_service_of_the_instance_it_removes()
    {
        using var lease = await LeaseAsync(Bearer(PayToken), "pay-db", "d1");
        var request = new V1.DeregisterRequest { Service = "pay-db", Id = "d1" };

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await Client.DeregisterAsync(request));
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await Client.DeregisterAsync(request, Bearer("guess")));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await Client.DeregisterAsync(request, Bearer(ApiToken)));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("'pay-db'", denied.Status.Detail, StringComparison.Ordinal);

        // Refused before the lookup: a lease that does not exist is refused the same way, so refusals reveal nothing.
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await Client.DeregisterAsync(new V1.DeregisterRequest { Service = "pay-db", Id = "never" }, Bearer(ApiToken)));
        Assert.Equal(StatusCode.PermissionDenied, unknown.StatusCode);

        // The lease outlived every refusal, and the right token ends it.
        await Fixture.Server.UntilServiceAsync("pay-db", v => v.Registered.SequenceEqual(["d1"]), WatchReader.Deadline, "the lease is still in the view");
        var response = await Client.DeregisterAsync(request, Bearer(PayToken));
        Assert.Equal("/services/pay-db/d1", response.Path);
        Assert.Equal(StatusCode.Cancelled, (await Assert.ThrowsAsync<RpcException>(() => lease.ResponseStream.MoveNext())).StatusCode);
        await Fixture.Server.UntilServiceAsync("pay-db", v => v.Registered.Count == 0, WatchReader.Deadline, "the deregistered lease left the view");
    }

    [Fact]
    public async Task Reads_need_no_token()
    {
        using var lease = await LeaseAsync(Bearer(ApiToken), "api", "r1");
        await Poll.UntilAsync(
            async ct => (await Client.ResolveAsync(new V1.ResolveRequest { Name = "api" }, cancellationToken: ct)).Answer.Any(e => e.Target == "r1.api.svc.example."),
            WatchReader.Deadline,
            "Resolve answers without a token");
        Assert.Contains((await Client.ListServicesAsync(new V1.ListServicesRequest())).Services, s => s.Name == "api");
        Assert.NotNull(await Client.GetDriftAsync(new V1.GetDriftRequest()));
        using var watch = WatchReader.Open(Client, services: "api");
        Assert.Equal(V1.WatchEvent.EventOneofCase.Snapshot, (await watch.NextAsync()).EventCase);
        Assert.True((await Fixture.Server.GetAsync("/v1/services/api")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task The_typed_client_sends_its_bearer_token()
    {
        RegistryClient Connect(string? token) => new(new RegistryClientOptions { Addresses = { Fixture.GrpcAddress }, BearerToken = token });

        using var anonymous = Connect(null);
        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.RegisterAsync(new V1.InstanceSpec { Service = "api", Id = "c0", Address = "10.5.5.5", Port = 80 }));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        using var client = Connect(ApiToken);
        var denied = await Assert.ThrowsAsync<RpcException>(() => client.RegisterAsync(new V1.InstanceSpec { Service = "pay-api", Id = "c1", Address = "10.5.5.5", Port = 80 }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);

        await using var lease = await client.RegisterAsync(new V1.InstanceSpec { Service = "api", Id = "c2", Address = "10.5.5.5", Port = 80 });
        Assert.Equal("/services/api/c2", lease.Path);
        await Poll.UntilAsync(
            async ct => (await anonymous.ResolveAsync("api", ct)).Answer.Any(e => e.Target == "c2.api.svc.example."),
            WatchReader.Deadline,
            "the lease is in api's answer");

        Assert.Throws<ArgumentException>(() => Connect("two words"));
        Assert.Throws<ArgumentException>(() => Connect(""));
    }

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    /// <summary>Opens a Register stream and returns the status it is refused with.</summary>
    private async Task<RpcException> RefusedAsync(Metadata? headers, string service, string id)
    {
        using var call = Client.Register(headers);
        await call.RequestStream.WriteAsync(Request(service, id));
        return await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
    }

    /// <summary>Opens a Register stream that must be granted; disposing it ends the lease.</summary>
    private async Task<AsyncDuplexStreamingCall<V1.RegisterRequest, V1.RegisterResponse>> LeaseAsync(Metadata headers, string service, string id)
    {
        var call = Client.Register(headers);
        await call.RequestStream.WriteAsync(Request(service, id));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal($"/services/{service}/{id}", call.ResponseStream.Current.Leased.Path);
        return call;
    }

    private static V1.RegisterRequest Request(string service, string id) =>
        new() { Instance = new V1.InstanceSpec { Service = service, Id = id, Address = "10.3.3.3", Port = 8080 } };

    /// <summary>The server of the class: ZooKeeper, and registry-server with a token for <c>api</c> and one for <c>pay-*</c>.</summary>
    public sealed class Server : IAsyncLifetime
    {
        private readonly TokenFileOnDisk _tokens = new((ApiToken, "api"), (PayToken, "pay-*"));

        internal GrpcServerFixture Fixture { get; private set; } = null!;

        public async Task InitializeAsync() => Fixture = await GrpcServerFixture.StartAsync("--auth-tokens", _tokens.Path);

        public async Task DisposeAsync()
        {
            await Fixture.DisposeAsync();
            _tokens.Dispose();
        }
    }
}
