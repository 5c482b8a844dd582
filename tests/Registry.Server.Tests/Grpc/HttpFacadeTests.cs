using System.Net;
using Registry.Testing;

namespace Registry.Server.Tests.Grpc;

/// <summary>The HTTP facade (<c>/v1/resolve</c>, <c>/v1/hosts</c>) against the server process and a real ZooKeeper.</summary>
public sealed class HttpFacadeTests : IAsyncLifetime
{
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync();

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Resolve_picks_one_live_endpoint_and_hosts_lists_what_a_host_runs()
    {
        var server = _fixture.Server;
        await _fixture.RegisterAsync("api", "i1", "10.0.0.1", weight: 1);
        await _fixture.RegisterAsync("api", "i2", "10.0.0.2", weight: 0);
        await _fixture.RegisterAsync("web", "ap1", "127.0.0.1");
        await server.UntilServiceAsync("api", v => v.Registered.Count == 2, WatchReader.Deadline, "both api instances are in the view");
        await server.UntilServiceAsync("web", v => v.Registered.Count == 1, WatchReader.Deadline, "ap1 is in the view");

        // Weight 0 never wins against a positive weight (RFC 2782 as Go's resolver does it).
        for (var i = 0; i < 5; i++)
        {
            var pick = await server.GetJsonAsync("/v1/resolve/api");
            Assert.Equal("_api._tcp.svc.example.", pick.GetProperty("srvName").GetString());
            Assert.Equal(2, pick.GetProperty("candidates").GetInt32());
            Assert.Equal("i1.api.svc.example.", pick.GetProperty("endpoint").GetProperty("target").GetString());
        }

        var host = await server.GetJsonAsync("/v1/hosts/127.0.0.1");
        var service = Assert.Single(host.GetProperty("services").EnumerateArray());
        Assert.Equal("_web._tcp.svc.example.", service.GetProperty("srvName").GetString());
        Assert.Equal("live", service.GetProperty("endpoints")[0].GetProperty("state").GetString());

        var byName = await server.GetJsonAsync("/v1/hosts/i2.api.svc.example");
        Assert.Equal("_api._tcp.svc.example.", byName.GetProperty("services")[0].GetProperty("srvName").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await server.GetAsync("/v1/resolve/bad_name!")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync("/v1/resolve/nothere")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.GetAsync("/v1/hosts/192.0.2.99")).StatusCode);
    }
}
