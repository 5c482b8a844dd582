using Grpc.Net.Client;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>
/// A Watch client that stops reading, over real gRPC against the server process and a real ZooKeeper: the server
/// never queues more than <c>--watch-buffer</c> publications for it, and gives it a fresh snapshot when it reads again.
/// </summary>
public sealed class SlowWatchTests : IAsyncLifetime
{
    // 200 instances with 2 KB of metadata, registered then removed: ~800 KB of events, far more than the HTTP/2
    // stream window (64 KiB) and Kestrel's response buffer (64 KiB) that hold a stalled stream's first events, and
    // its 16 queue slots.
    private const int Instances = 200;
    private static readonly string Bulk = new('m', 2_000);

    private GrpcServerFixture _fixture = null!;

    public async Task InitializeAsync() => _fixture = await GrpcServerFixture.StartAsync("--watch-buffer", "16");

    public async Task DisposeAsync() => await _fixture.DisposeAsync();

    [Fact]
    public async Task A_client_that_stops_reading_gets_a_fresh_snapshot_and_ends_where_a_reader_that_kept_up_ends()
    {
        // Its own connection, so that its full window cannot stall the reader that keeps up.
        using var slowChannel = GrpcChannel.ForAddress(_fixture.GrpcAddress);
        using var slow = WatchReader.Open(new V1.Registry.RegistryClient(slowChannel), null, "bulk");
        using var fast = WatchReader.Open(_fixture.Client, null, "bulk");
        Assert.Equal(V1.WatchEvent.EventOneofCase.Snapshot, (await slow.NextAsync()).EventCase);
        Assert.Equal(V1.WatchEvent.EventOneofCase.Snapshot, (await fast.NextAsync()).EventCase);

        var keepingUp = ReadUntilGoneAsync(fast);
        var registrations = new List<Registration>();
        for (var i = 0; i < Instances; i++)
        {
            registrations.Add(await _fixture.Registrar.RegisterAsync(new ServiceInstance
            {
                Service = ServiceName.Parse("bulk"),
                Id = $"i{i}",
                Address = $"10.9.{i / 250}.{(i % 250) + 1}",
                Port = 4070,
                Metadata = new Dictionary<string, string> { ["bulk"] = Bulk },
            }));
        }

        foreach (var registration in registrations)
        {
            await registration.DisposeAsync();
        }

        // (Whether the reader that keeps up ever falls behind too depends on the machine's load; it is not what this tests.)
        var (_, fastEnd) = await keepingUp;

        // The stalled client reads again: what was in flight, then a fresh snapshot instead of the publications that
        // did not fit its 16 slots, then on to the same end as the reader that kept up.
        var (slowEvents, slowEnd) = await ReadUntilGoneAsync(slow);
        Assert.Contains(slowEvents, e => e.Snapshot is { Reason: V1.SnapshotReason.FellBehind });
        Assert.Equal(fastEnd, slowEnd);
        Assert.Contains("fell behind", _fixture.Server.Output, StringComparison.Ordinal);
    }

    /// <summary>Events until the view holds no "bulk" endpoint any more (after at least one was seen), and the revision then.</summary>
    private static async Task<(List<V1.WatchEvent> Events, V1.Revision End)> ReadUntilGoneAsync(WatchReader reader)
    {
        var events = new List<V1.WatchEvent>();
        var endpoints = new HashSet<string>();
        var seen = false;
        while (true)
        {
            var next = await reader.NextChangeAsync();
            events.Add(next);
            if (next.Snapshot is { } snapshot)
            {
                endpoints = [.. snapshot.Services.SelectMany(s => s.Endpoints).Select(e => e.Target + ":" + e.Port)];
            }

            foreach (var change in next.Changes?.Changes ?? [])
            {
                switch (change.Kind)
                {
                    case V1.ChangeKind.ServiceAdded:
                        endpoints.UnionWith(change.Service.Endpoints.Select(e => e.Target + ":" + e.Port));
                        break;
                    case V1.ChangeKind.ServiceRemoved:
                        endpoints.ExceptWith(change.Service.Endpoints.Select(e => e.Target + ":" + e.Port));
                        break;
                    case V1.ChangeKind.EndpointAdded:
                        endpoints.Add(change.Endpoint.Target + ":" + change.Endpoint.Port);
                        break;
                    case V1.ChangeKind.EndpointRemoved:
                        endpoints.Remove(change.Endpoint.Target + ":" + change.Endpoint.Port);
                        break;
                }
            }

            seen |= endpoints.Count > 0;
            if (seen && endpoints.Count == 0)
            {
                return (events, next.Revision);
            }
        }
    }
}
