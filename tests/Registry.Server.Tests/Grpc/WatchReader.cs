using Grpc.Core;
using V1 = Registry.V1;

namespace Registry.Server.Tests.Grpc;

/// <summary>Reads a Watch stream in tests, each read with a deadline; heartbeats can be skipped.</summary>
internal sealed class WatchReader(AsyncServerStreamingCall<V1.WatchEvent> call) : IDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static WatchReader Open(V1.Registry.RegistryClient client, V1.Revision? resumeFrom = null, params string[] services)
    {
        var request = new V1.WatchRequest { ResumeFrom = resumeFrom };
        request.Services.AddRange(services);
        return new WatchReader(client.Watch(request));
    }

    /// <summary>The next event, heartbeats included.</summary>
    public async Task<V1.WatchEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Deadline);
        Assert.True(await call.ResponseStream.MoveNext(deadline.Token), "the stream ended");
        return call.ResponseStream.Current;
    }

    /// <summary>The next event that is not a heartbeat.</summary>
    public async Task<V1.WatchEvent> NextChangeAsync()
    {
        while (true)
        {
            var next = await NextAsync();
            if (next.EventCase != V1.WatchEvent.EventOneofCase.Heartbeat)
            {
                return next;
            }
        }
    }

    /// <summary>
    /// Events up to the one that brings <paramref name="target"/> in. A first registration may come as two
    /// publications: the watcher can see the new service node before its first instance (an empty service, then the
    /// endpoint), or both at once (the service with the endpoint).
    /// </summary>
    public async Task<List<V1.WatchEvent>> UntilEndpointAsync(string target)
    {
        var events = new List<V1.WatchEvent>();
        while (true)
        {
            var next = await NextChangeAsync();
            events.Add(next);
            if (next.Changes?.Changes.Any(c => c.Endpoint?.Target == target || c.Service?.Endpoints.Any(e => e.Target == target) == true) == true
                || next.Snapshot?.Services.Any(s => s.Endpoints.Any(e => e.Target == target)) == true)
            {
                return events;
            }
        }
    }

    public void Dispose() => call.Dispose();
}
