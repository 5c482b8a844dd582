using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Registry.Core.Names;
using Registry.Server.Grpc.Auth;
using Registry.Server.Grpc.Leases;
using V1 = Registry.V1;

namespace Registry.Server.Grpc;

/// <summary>
/// Register (a lease stream) and Deregister. With <c>--auth-tokens</c> both need a bearer token allowed for the
/// service: Register checks it on the first message, the one that names the instance (updates cannot change the
/// service, so it holds for the stream); Deregister checks it for the service of the instance it removes, before
/// looking the lease up, so that a refused caller learns nothing of which leases exist.
/// </summary>
internal sealed partial class RegistryGrpcService
{
    public override async Task Register(IAsyncStreamReader<V1.RegisterRequest> requestStream, IServerStreamWriter<V1.RegisterResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var peer = context.GetHttpContext().Connection.RemoteIpAddress?.ToString();
        var first = await ReadAsync(requestStream, null, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return;
        }

        // Who asks comes first: a caller without a valid token learns nothing, not even what is wrong with its
        // request. It is checked once the first message is in, so the client's first write never races the refusal.
        var token = writes.Authenticate(context);
        if (first.RequestCase != V1.RegisterRequest.RequestOneofCase.Instance)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the first message of a Register stream names the instance"));
        }

        var instance = InstanceValidation.ToInstance(first.Instance, peer);
        writes.Authorize(token, instance.Service, context);
        var lease = await leases.AcquireAsync(instance, context.Peer, cancellationToken).ConfigureAwait(false);
        var reason = "the stream ended";
        try
        {
            await responseStream.WriteAsync(Leased(lease), cancellationToken).ConfigureAwait(false);
            while (await ReadAsync(requestStream, lease, cancellationToken).ConfigureAwait(false) is { } next)
            {
                if (next.RequestCase == V1.RegisterRequest.RequestOneofCase.Instance)
                {
                    var updated = InstanceValidation.ToInstance(next.Instance, peer);
                    if (updated.Service != lease.Registration.Instance.Service || updated.Id != lease.Registration.Instance.Id)
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"an update keeps service and id ({lease.Path}); lease {updated.Service}/{updated.Id} on a stream of its own"));
                    }

                    await lease.Registration.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
                    await responseStream.WriteAsync(Leased(lease), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await responseStream.WriteAsync(new V1.RegisterResponse { Heartbeat = new V1.LeaseHeartbeat() }, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (RpcException e)
        {
            reason = e.Status.Detail;
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "the client went away";
        }
        finally
        {
            await leases.ReleaseAsync(lease, reason).ConfigureAwait(false);
        }
    }

    public override async Task<V1.DeregisterResponse> Deregister(V1.DeregisterRequest request, ServerCallContext context)
    {
        var token = writes.Authenticate(context);
        if (!ServiceName.TryParse(request.Service, out var service, out var error))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"service {ClientText.Quote(request.Service)}: {error}"));
        }

        if (Core.Names.DnsLabel.Check(request.Id) is { } idError)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"id {ClientText.Quote(request.Id)}: {idError}"));
        }

        writes.Authorize(token, service, context);
        return new V1.DeregisterResponse { Path = await leases.DeregisterAsync(service, request.Id).ConfigureAwait(false) };
    }

    /// <summary>
    /// The next message, or null when the client closed its side. Silence for a lease timeout ends the stream with
    /// DeadlineExceeded; a Deregister of the lease, with Cancelled.
    /// </summary>
    private async Task<V1.RegisterRequest?> ReadAsync(IAsyncStreamReader<V1.RegisterRequest> requestStream, Lease? lease, CancellationToken cancellationToken)
    {
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease?.Revoked ?? CancellationToken.None);
        silence.CancelAfter(leaseOptions.Timeout);
        try
        {
            return await requestStream.MoveNext(silence.Token).ConfigureAwait(false) ? requestStream.Current : null;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled } && !cancellationToken.IsCancellationRequested)
        {
            throw lease?.Revoked.IsCancellationRequested == true
                ? new RpcException(new Status(StatusCode.Cancelled, $"{lease.Path} was deregistered by a Deregister call"))
                : new RpcException(new Status(StatusCode.DeadlineExceeded, $"no message for {leaseOptions.Timeout.TotalSeconds:0.###} s: the lease expired{(lease is null ? "" : $" and {lease.Path} was deregistered")}"));
        }
    }

    private V1.RegisterResponse Leased(Lease lease) => new()
    {
        Leased = new V1.Leased { Path = lease.Path, Session = lease.Session, LeaseTimeoutMs = (long)leaseOptions.Timeout.TotalMilliseconds },
    };
}
