using Grpc.Core;
using Microsoft.Extensions.Logging;
using Registry.Core.View;
using Registry.Server.Grpc.Auth;
using Registry.Server.Grpc.Leases;
using Registry.Server.Grpc.Watch;
using Registry.Server.Views;
using V1 = Registry.V1;

namespace Registry.Server.Grpc;

/// <summary>
/// The <c>registry.v1.Registry</c> service. Reads answer from one snapshot (<see cref="LiveView.Current"/>), so an
/// answer never mixes two generations; Watch is fed by the <see cref="WatchHub"/>; Register leases are held by the
/// <see cref="LeaseRegistry"/>. Writes (Register, Deregister) pass the <see cref="WriteAuthorizer"/>; reads are open.
/// </summary>
internal sealed partial class RegistryGrpcService(LiveView live, WatchHub hub, WatchOptions watchOptions, LeaseRegistry leases, LeaseOptions leaseOptions, WriteAuthorizer writes, TimeProvider time, ILogger<RegistryGrpcService> logger)
    : V1.Registry.RegistryBase
{
    public override Task<V1.ResolveResponse> Resolve(V1.ResolveRequest request, ServerCallContext context)
    {
        var view = live.Current;
        var found = Find(view, request.Name);
        var response = new V1.ResolveResponse { View = ProtoMapping.ViewInfo(view) };
        foreach (var service in found)
        {
            response.Services.Add(ProtoMapping.Service(service));
        }

        response.Answer.AddRange(response.Services[0].Endpoints.Where(e => e.InAnswer));
        return Task.FromResult(response);
    }

    public override Task<V1.ListServicesResponse> ListServices(V1.ListServicesRequest request, ServerCallContext context)
    {
        var view = live.Current;
        var response = new V1.ListServicesResponse { View = ProtoMapping.ViewInfo(view) };
        foreach (var service in view.Services)
        {
            response.Services.Add(ProtoMapping.Summary(service));
        }

        return Task.FromResult(response);
    }

    public override Task<V1.GetDriftResponse> GetDrift(V1.GetDriftRequest request, ServerCallContext context)
    {
        var view = live.Current;
        var services = request.Name.Length == 0
            ? view.Services.Where(s => !s.Drift.IsEmpty)
            : Find(view, request.Name);
        var response = new V1.GetDriftResponse { View = ProtoMapping.ViewInfo(view) };
        foreach (var service in services)
        {
            response.Services.Add(new V1.ServiceDrift { SrvName = service.SrvName, Drift = ProtoMapping.Drift(service.Drift) });
        }

        return Task.FromResult(response);
    }

    /// <summary>The services of that name; InvalidArgument for a malformed name, NotFound for one the view lacks.</summary>
    private static IReadOnlyList<Core.Merge.MergedService> Find(ViewSnapshot view, string name)
    {
        var found = ServiceLookup.Find(view, name, out var error)
            ?? throw new RpcException(new Status(StatusCode.InvalidArgument, error!));
        return found.Count > 0
            ? found
            : throw new RpcException(new Status(StatusCode.NotFound, $"no service {ClientText.Quote(name)} in the view (revision {view.Revision})"));
    }
}
