using Grpc.Core;
using Registry.Client;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Testing;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>The typed client (Registry.Client) against the server process, across a server restart.</summary>
public sealed class RegistryClientTests : IAsyncLifetime
{
    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync("--watch-heartbeat", "500ms");

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task Watch_resumes_across_a_server_restart_without_duplicates_or_gaps()
    {
        using var client = new RegistryClient(new RegistryClientOptions { Addresses = { _fixture.GrpcAddress }, RetryDelay = TimeSpan.FromMilliseconds(50) });
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await using var events = client.WatchAsync(["api"], cancellationToken: cancel.Token).Where(e => e.EventCase != V1.WatchEvent.EventOneofCase.Heartbeat).GetAsyncEnumerator(cancel.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(V1.SnapshotReason.Initial, events.Current.Snapshot.Reason);
        await _fixture.RegisterAsync("api", "i1", "10.0.0.1");
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(V1.ChangeKind.ServiceAdded, events.Current.Changes.Changes[0].Kind);
        if (events.Current.Changes.Changes[0].Service.Endpoints.Count == 0)
        {
            // The watcher saw the service node before its instance: the endpoint follows as its own change.
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(V1.ChangeKind.EndpointAdded, Assert.Single(events.Current.Changes.Changes).Kind);
        }

        // i2 registers while the server is down; the restarted server has no history, so the client gets i2 either as
        // the one change after the persisted view's revision, or in a fresh snapshot: never i1 again.
        await _fixture.RestartServerAsync(async () => await _fixture.RegisterAsync("api", "i2", "10.0.0.2"));
        Assert.True(await events.MoveNextAsync());
        var after = events.Current;
        if (after.EventCase == V1.WatchEvent.EventOneofCase.Snapshot)
        {
            Assert.Equal(V1.SnapshotReason.OutOfHistory, after.Snapshot.Reason);
            Assert.Equal(["i1.api.svc.example.", "i2.api.svc.example."], after.Snapshot.Services.Single().Endpoints.Select(e => e.Target));
        }
        else
        {
            var change = Assert.Single(after.Changes.Changes);
            Assert.True(change.Kind == V1.ChangeKind.EndpointAdded && change.Endpoint.Target == "i2.api.svc.example.", after.ToString());
        }

        await _fixture.RegisterAsync("api", "i3", "10.0.0.3");
        Assert.True(await events.MoveNextAsync());
        var third = Assert.Single(events.Current.Changes.Changes);
        Assert.Equal((V1.ChangeKind.EndpointAdded, "i3.api.svc.example."), (third.Kind, third.Endpoint.Target));
    }

    [Fact]
    public async Task A_snapshot_over_the_clients_message_limit_fails_the_watch_instead_of_reconnecting_forever()
    {
        await using var big = await _fixture.Registrar.RegisterAsync(new ServiceInstance
        {
            Service = ServiceName.Parse("api"),
            Id = "big",
            Address = "10.3.3.3",
            Port = 9000,
            Metadata = new Dictionary<string, string> { ["blob"] = new('x', 4_000) },
        });
        await _fixture.Server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["big"]), WatchReader.Deadline, "big is in the view");

        using var client = new RegistryClient(new RegistryClientOptions { Addresses = { _fixture.GrpcAddress }, MaxReceiveMessageSize = 1024, RetryDelay = TimeSpan.FromMilliseconds(50) });
        using var deadline = new CancellationTokenSource(WatchReader.Deadline);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(["api"], cancellationToken: deadline.Token))
            {
            }
        });
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.False(deadline.IsCancellationRequested, "the watch retried until the deadline instead of failing");
    }

    [Fact]
    public async Task Resolve_and_a_lease_that_registers_again_after_a_server_restart()
    {
        using var client = new RegistryClient(new RegistryClientOptions { Addresses = { _fixture.GrpcAddress }, RetryDelay = TimeSpan.FromMilliseconds(50) });
        var lease = await client.RegisterAsync(new V1.InstanceSpec { Service = "api", Id = "l1", Address = "10.2.2.2", Port = 9000 });
        Assert.Equal("/services/api/l1", lease.Path);
        await Poll.UntilAsync(
            async ct => (await client.ResolveAsync("api", ct)).Answer.Any(e => e.Target == "l1.api.svc.example."),
            WatchReader.Deadline,
            "the lease is in api's answer");

        var before = lease.Session;
        await _fixture.RestartServerAsync();
        await Poll.UntilAsync(
            async ct => lease.Renewals >= 1 && (await client.ResolveAsync("api", ct)).Answer.Any(e => e.Registration.Session == lease.Session),
            WatchReader.Deadline,
            "the lease is registered again through the restarted server's session");
        Assert.NotEqual(before, lease.Session);

        await lease.DisposeAsync();
        await _fixture.Server.UntilServiceAsync("api", v => v.Registered.Count == 0, TimeSpan.FromSeconds(10), "the disposed lease left the view");
    }
}
