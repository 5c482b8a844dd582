using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Server.Grpc.Watch;
using V1 = Registry.V1;

namespace Registry.Server.Grpc;

/// <summary>Watch: one stream's loop over its hub subscription.</summary>
internal sealed partial class RegistryGrpcService
{
    public override async Task Watch(V1.WatchRequest request, IServerStreamWriter<V1.WatchEvent> responseStream, ServerCallContext context)
    {
        var filter = ServiceLookup.Filter(request.Services, out var error);
        if (error is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        }

        var (subscription, start) = hub.Subscribe(request.ResumeFrom is { } from ? ProtoMapping.Revision(from) : null);
        var cancellationToken = context.CancellationToken;
        WatchLog.Started(logger, context.Peer, request.Services.Count == 0 ? "*" : string.Join(",", request.Services), start.IsSnapshot ? start.Reason.ToString() : $"resumed, {start.Backlog!.Count} missed");
        try
        {
            var stream = new WatchStream(responseStream, filter, start.View);
            if (start.IsSnapshot)
            {
                await stream.SendSnapshotAsync(start.View, start.Reason, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var sent = false;
                foreach (var publication in start.Backlog!)
                {
                    sent |= await stream.SendAsync(publication, cancellationToken).ConfigureAwait(false);
                }

                if (!sent)
                {
                    // Nothing missed: a heartbeat tells the client the resume took, and the stale flag as it is now.
                    await stream.SendHeartbeatAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
            }

            await FollowAsync(subscription, stream, context.Peer, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the server stops: the stream simply ends.
        }
        finally
        {
            hub.Unsubscribe(subscription);
            WatchLog.Ended(logger, context.Peer);
        }
    }

    private async Task FollowAsync(WatchSubscription subscription, WatchStream stream, string peer, CancellationToken cancellationToken)
    {
        // The heartbeat timer is armed once per heartbeat period, not on every wake: with thousands of streams woken by
        // each publication, re-arming a timer per message costs timer-queue work on the fan-out path. A sent message
        // only records the time; when the timer fires on a stream that was busy, it is armed again for the remainder.
        var heartbeat = watchOptions.Heartbeat;
        var lastSent = time.GetTimestamp();
        var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(heartbeat);
        try
        {
            while (true)
            {
                try
                {
                    if (!await subscription.Reader.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    var quiet = time.GetElapsedTime(lastSent);
                    if (quiet >= heartbeat)
                    {
                        await stream.SendHeartbeatAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                        lastSent = time.GetTimestamp();
                        quiet = TimeSpan.Zero;
                    }

                    // A source that fired cannot be reset: the next period takes a new one.
                    idle.Dispose();
                    idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    idle.CancelAfter(heartbeat - quiet);
                    continue;
                }

                if (await DrainAsync().ConfigureAwait(false))
                {
                    lastSent = time.GetTimestamp();
                }
            }
        }
        finally
        {
            idle.Dispose();
        }

        // Sends what the queue holds, or a fresh snapshot when it overflowed; true when anything was sent.
        async Task<bool> DrainAsync()
        {
            var sent = false;
            while (!subscription.Overflowed && subscription.Reader.TryRead(out var publication))
            {
                sent |= await stream.SendAsync(publication, cancellationToken).ConfigureAwait(false);
            }

            if (subscription.Overflowed)
            {
                WatchLog.FellBehind(logger, peer, watchOptions.Buffer);
                await stream.SendSnapshotAsync(hub.Resync(subscription), V1.SnapshotReason.FellBehind, cancellationToken).ConfigureAwait(false);
                sent = true;
            }

            return sent;
        }
    }

    /// <summary>What one stream has sent: its filter, and the revision and stale flag its client holds.</summary>
    private sealed class WatchStream(IServerStreamWriter<V1.WatchEvent> writer, Func<string, ServiceName, bool>? filter, ViewSnapshot position)
    {
        private ViewRevision _revision = position.Revision;
        private bool _stale = position.Stale;

        public async Task SendSnapshotAsync(ViewSnapshot view, V1.SnapshotReason reason, CancellationToken cancellationToken)
        {
            var snapshot = new V1.Snapshot { Reason = reason };
            foreach (var service in view.Services)
            {
                if (filter is null || filter(service.SrvName, service.Service))
                {
                    snapshot.Services.Add(ProtoMapping.Service(service));
                }
            }

            _revision = view.Revision;
            _stale = view.Stale;
            await writer.WriteAsync(new V1.WatchEvent { Revision = ProtoMapping.Revision(_revision), Stale = _stale, Snapshot = snapshot }, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Sends a publication's changes that pass the filter; false when none did and the stale flag held (nothing sent).</summary>
        public async Task<bool> SendAsync(Publication publication, CancellationToken cancellationToken)
        {
            var message = publication.Event;
            if (filter is not null)
            {
                var changes = new V1.ChangeSet { Cause = publication.Cause };
                changes.Changes.AddRange(publication.Changes.Where(c => filter(c.Change.SrvName, c.Service)).Select(c => c.Change));
                message = new V1.WatchEvent { Revision = message.Revision, Stale = message.Stale, Changes = changes };
            }

            var send = message.Changes.Changes.Count > 0 || publication.Stale != _stale;
            _revision = publication.Revision;
            _stale = publication.Stale;
            if (send)
            {
                await writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            }

            return send;
        }

        /// <summary>A heartbeat at the stream's position: resuming from its revision misses nothing.</summary>
        public Task SendHeartbeatAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
            writer.WriteAsync(
                new V1.WatchEvent { Revision = ProtoMapping.Revision(_revision), Stale = _stale, Heartbeat = new V1.Heartbeat { ServerTime = Timestamp.FromDateTimeOffset(now) } },
                cancellationToken);
    }
}
