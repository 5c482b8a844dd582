using Grpc.Core;
using Grpc.Health.V1;
using Registry.Testing;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>Resolve, ListServices, GetDrift, health and the error codes, over real gRPC against the server process.</summary>
public sealed class GrpcReadTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync();

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Resolve_list_and_drift_answer_from_the_merged_view()
    {
        await _fixture.RegisterAsync("web", "ap1", "127.0.0.1");
        await _fixture.RegisterAsync("web", "k1", "10.9.9.9", 5000);
        var client = _fixture.Client;
        await Poll.UntilAsync(
            async ct => (await client.ResolveAsync(new V1.ResolveRequest { Name = "web" }, cancellationToken: ct)).Answer.Count == 2,
            Deadline,
            "both instances are in web's answer");

        var web = await client.ResolveAsync(new V1.ResolveRequest { Name = "_web._tcp.svc.example." });
        var service = Assert.Single(web.Services);
        Assert.Equal(V1.ServiceMode.Hybrid, service.Mode);
        Assert.Equal(["ap1.hosts.svc.example.", "k1.web.svc.example."], web.Answer.Select(e => e.Target));
        var ap1 = web.Answer[0];
        Assert.Equal(V1.EndpointState.Live, ap1.State);
        Assert.Equal("svc.example.zone", ap1.Declared.File);
        Assert.Equal("/services/web/ap1", ap1.Registration.Path);
        Assert.Equal(V1.EndpointState.Missing, service.Endpoints.Single(e => e.Target == "ap2.hosts.svc.example.").State);
        Assert.False(web.View.Stale);
        Assert.StartsWith("zxid:0x", web.View.Revision.Text, StringComparison.Ordinal);

        var list = await client.ListServicesAsync(new V1.ListServicesRequest());
        Assert.Contains(list.Services, s => s.SrvName == "_ldap._tcp.svc.example." && s.Mode == V1.ServiceMode.Static);
        Assert.Equal(2, list.Services.Single(s => s.Name == "web").Answers);

        var drift = await client.GetDriftAsync(new V1.GetDriftRequest());
        var webDrift = Assert.Single(drift.Services);
        Assert.Equal(["ap2.hosts.svc.example."], webDrift.Drift.DeclaredNotRunning.Select(d => d.Target));
        Assert.Equal(["k1"], webDrift.Drift.RunningUndeclared.Select(r => r.Id));
    }

    [Fact]
    public async Task Bad_requests_get_the_right_status_codes_with_a_reason()
    {
        var client = _fixture.Client;
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest { Name = "no_such name!" }));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("not a service name", invalid.Status.Detail, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest()));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.ResolveAsync(new V1.ResolveRequest { Name = "nothere" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("no service 'nothere'", missing.Status.Detail, StringComparison.Ordinal);

        var driftMissing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetDriftAsync(new V1.GetDriftRequest { Name = "nothere" }));
        Assert.Equal(StatusCode.NotFound, driftMissing.StatusCode);
    }

    [Fact]
    public async Task Health_says_serving()
    {
        var health = new Health.HealthClient(_fixture.Channel);
        var answer = await health.CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
    }

    [Fact]
    public async Task Reflection_lists_the_services_and_describes_the_registry_api()
    {
        var reflection = new global::Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(_fixture.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new() { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("registry.v1.Registry", services);
        Assert.Contains("grpc.health.v1.Health", services);

        // What grpcurl asks to describe a service: the file that defines it, with its methods.
        await call.RequestStream.WriteAsync(new() { FileContainingSymbol = "registry.v1.Registry" });
        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        var registry = files.Single(f => f.Name == "registry/v1/registry.proto").Service.Single(s => s.Name == "Registry");
        Assert.Contains(registry.Method, m => m.Name == "Watch" && m.ServerStreaming);
        Assert.Contains(registry.Method, m => m.Name == "Register" && m.ClientStreaming && m.ServerStreaming);
        await call.RequestStream.CompleteAsync();
    }
}
