using System.Globalization;
using Grpc.Core;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>Register leases over real gRPC: the server's own ZooKeeper session holds the instance while the stream lives.</summary>
public sealed class RegisterTests : IAsyncLifetime
{
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync("--lease-timeout", "2s");

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task A_lease_appears_in_the_view_and_vanishes_when_the_stream_is_cut()
    {
        var server = _fixture.Server;
        using (var call = _fixture.Client.Register())
        {
            await call.RequestStream.WriteAsync(Request("api", "l1", port: 8080, weight: 5));
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal("/services/api/l1", call.ResponseStream.Current.Leased.Path);
            Assert.Equal(2000, call.ResponseStream.Current.Leased.LeaseTimeoutMs);
            Assert.NotEqual(0, call.ResponseStream.Current.Leased.Session);

            await server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["l1"]), WatchReader.Deadline, "the lease is in the view");
            var api = await server.GetServiceAsync("api");
            Assert.Equal(["l1.api.svc.example."], api.Answer);

            // Heartbeats keep it past the lease timeout.
            for (var i = 0; i < 5; i++)
            {
                await call.RequestStream.WriteAsync(new V1.RegisterRequest { Heartbeat = new V1.LeaseHeartbeat() });
                Assert.True(await call.ResponseStream.MoveNext());
                await Task.Delay(TimeSpan.FromMilliseconds(600)); // paces the heartbeats across 3 s (> the 2 s lease)
            }

            Assert.Equal(["l1"], (await server.GetServiceAsync("api")).Registered);
        }

        // Disposing the call cuts the stream (RST_STREAM): the server deletes the znode at once.
        await server.UntilServiceAsync("api", v => v.Registered.Count == 0, TimeSpan.FromSeconds(10), "the lease left the view");
    }

    [Fact]
    public async Task A_silent_stream_loses_its_lease_and_deregister_ends_one()
    {
        var server = _fixture.Server;
        using var silent = _fixture.Client.Register();
        await silent.RequestStream.WriteAsync(Request("api", "quiet", port: 8080));
        Assert.True(await silent.ResponseStream.MoveNext());
        await server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["quiet"]), WatchReader.Deadline, "the lease is in the view");
        var expired = await Assert.ThrowsAsync<RpcException>(() => silent.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.DeadlineExceeded, expired.StatusCode);
        await server.UntilServiceAsync("api", v => v.Registered.Count == 0, TimeSpan.FromSeconds(10), "the silent lease left the view");

        using var ended = _fixture.Client.Register();
        await ended.RequestStream.WriteAsync(Request("api", "gone", port: 8080));
        Assert.True(await ended.ResponseStream.MoveNext());
        var response = await _fixture.Client.DeregisterAsync(new V1.DeregisterRequest { Service = "api", Id = "gone" });
        Assert.Equal("/services/api/gone", response.Path);
        var cancelled = await Assert.ThrowsAsync<RpcException>(() => ended.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Cancelled, cancelled.StatusCode);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _fixture.Client.DeregisterAsync(new V1.DeregisterRequest { Service = "api", Id = "never" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Invalid_instances_are_refused_with_every_reason()
    {
        using var call = _fixture.Client.Register();
        await call.RequestStream.WriteAsync(Request("bad name", "x_y", port: 70000, weight: -1));
        var invalid = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("service 'bad name'", invalid.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("port 70000", invalid.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("weight -1", invalid.Status.Detail, StringComparison.Ordinal);

        using var heartbeatFirst = _fixture.Client.Register();
        await heartbeatFirst.RequestStream.WriteAsync(new V1.RegisterRequest { Heartbeat = new V1.LeaseHeartbeat() });
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => heartbeatFirst.ResponseStream.MoveNext())).StatusCode);

        // Refused as it is read, before a lease is taken: nothing to deregister.
        using var oversized = _fixture.Client.Register();
        var huge = Oversized("api", "big");
        await oversized.RequestStream.WriteAsync(huge);
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => oversized.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, tooBig.StatusCode);
        Assert.Equal(string.Create(CultureInfo.InvariantCulture, $"Register: a request message of {huge.CalculateSize():N0} bytes exceeds the 64 KiB limit"), tooBig.Status.Detail);
        var notLeased = await Assert.ThrowsAsync<RpcException>(async () => await _fixture.Client.DeregisterAsync(new V1.DeregisterRequest { Service = "api", Id = "big" }));
        Assert.Equal(StatusCode.NotFound, notLeased.StatusCode);
    }

    [Fact]
    public async Task An_oversized_update_ends_the_lease_stream_with_InvalidArgument_and_deletes_the_znode()
    {
        var server = _fixture.Server;
        using var call = _fixture.Client.Register();
        await call.RequestStream.WriteAsync(Request("api", "grows", port: 8080));
        Assert.True(await call.ResponseStream.MoveNext());
        await server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["grows"]), WatchReader.Deadline, "the lease is in the view");

        await call.RequestStream.WriteAsync(Oversized("api", "grows"));
        var tooBig = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.InvalidArgument, tooBig.StatusCode);
        Assert.EndsWith("exceeds the 64 KiB limit", tooBig.Status.Detail, StringComparison.Ordinal);

        // The client has not closed its side, and nothing reads the stream any more to time the lease out: only the
        // handler's own release can delete the znode (the server's ZooKeeper session lives on).
        await server.UntilServiceAsync("api", v => v.Registered.Count == 0, TimeSpan.FromSeconds(10), "the lease left the view");
        var released = await Assert.ThrowsAsync<RpcException>(async () => await _fixture.Client.DeregisterAsync(new V1.DeregisterRequest { Service = "api", Id = "grows" }));
        Assert.Equal(StatusCode.NotFound, released.StatusCode);

        // Nothing is left reserved either: the same instance leases again at once on a new stream.
        using var again = _fixture.Client.Register();
        await again.RequestStream.WriteAsync(Request("api", "grows", port: 8080));
        Assert.True(await again.ResponseStream.MoveNext());
        Assert.Equal("/services/api/grows", again.ResponseStream.Current.Leased.Path);
    }

    /// <summary>An instance whose metadata takes it past the 64 KiB request limit.</summary>
    private static V1.RegisterRequest Oversized(string service, string id)
    {
        var request = Request(service, id, port: 80);
        request.Instance.Metadata["blob"] = new string('x', 100_000);
        return request;
    }

    private static V1.RegisterRequest Request(string service, string id, int port, int? weight = null)
    {
        var spec = new V1.InstanceSpec { Service = service, Id = id, Address = "10.1.1.1", Port = port };
        if (weight is { } w)
        {
            spec.Weight = w;
        }

        return new V1.RegisterRequest { Instance = spec };
    }
}
