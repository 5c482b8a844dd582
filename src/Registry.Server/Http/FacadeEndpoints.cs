using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Registry.Core.Merge;
using Registry.Core.Selection;
using Registry.Server.Grpc;
using Registry.Server.Views;
using Endpoint = Registry.Core.Merge.Endpoint;

namespace Registry.Server.Http;

/// <summary>
/// The HTTP facade for clients that cannot do DNS: <c>GET /v1/resolve/{name}</c> picks one endpoint as an RFC 2782
/// client would, <c>GET /v1/hosts/{host}</c> lists what a host runs. Names are taken as gRPC and DNS take them.
/// </summary>
internal static class FacadeEndpoints
{
    public static IEndpointRouteBuilder MapFacadeEndpoints(this IEndpointRouteBuilder app)
    {
        // ?protocol=udp chooses among the protocols a service name is published under; tcp (or the only one) by default.
        app.MapGet("/v1/resolve/{name}", (string name, string? protocol, LiveView live, ViewService watcher) =>
        {
            var view = live.Current;
            var found = ServiceLookup.Find(view, name, out var error);
            if (found is null)
            {
                return Error(error!, StatusCodes.Status400BadRequest);
            }

            var service = found.FirstOrDefault(s => protocol is null ? s.Protocol == "tcp" : string.Equals(s.Protocol, protocol, StringComparison.OrdinalIgnoreCase))
                ?? (protocol is null && found.Count > 0 ? found[0] : null);
            if (service is null)
            {
                return Error($"no service {ClientText.Quote(name)}{(protocol is null ? "" : $" over {protocol}")} in the view (revision {view.Revision})", StatusCodes.Status404NotFound);
            }

            var answer = service.Answer.ToList();
            if (SrvSelection.Pick(answer, Random.Shared) is not { } picked)
            {
                return Error($"{service.SrvName} has no endpoint in its answer (revision {view.Revision})", StatusCodes.Status503ServiceUnavailable);
            }

            var response = new ResolveResponse(ViewDtos.Header(view, live, watcher.SkippedRegistrations), service.SrvName, answer.Count, ViewDtos.EndpointOf(picked));
            return Results.Json(response, ViewJsonContext.Default.ResolveResponse);
        });

        app.MapGet("/v1/hosts/{host}", (string host, LiveView live, ViewService watcher) =>
        {
            var view = live.Current;
            var match = HostMatcher(host);
            var services = new List<HostService>();
            foreach (var service in view.Services)
            {
                var endpoints = service.Endpoints.Where(match).Select(ViewDtos.EndpointOf).ToList();
                if (endpoints.Count > 0)
                {
                    services.Add(new HostService(service.Service.Value, service.Protocol, service.Zone, service.SrvName, ViewDtos.ModeOf(service), endpoints));
                }
            }

            return services.Count == 0
                ? Error($"no service runs on {ClientText.Quote(host)} (revision {view.Revision})", StatusCodes.Status404NotFound)
                : Results.Json(new HostResponse(ViewDtos.Header(view, live, watcher.SkippedRegistrations), host, services), ViewJsonContext.Default.HostResponse);
        });

        return app;
    }

    /// <summary>An address matches the endpoint's addresses or its registered address; a name, its target (trailing dot optional).</summary>
    private static Func<Endpoint, bool> HostMatcher(string host)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return e => e.Addresses.Contains(address) || (e.Instance?.Address is { } registered && IPAddress.TryParse(registered, out var r) && r.Equals(address));
        }

        var absolute = host.EndsWith('.') ? host : host + ".";
        return e => string.Equals(e.Target, absolute, StringComparison.OrdinalIgnoreCase)
            || string.Equals(e.Instance?.Hostname, absolute, StringComparison.OrdinalIgnoreCase);
    }

    private static IResult Error(string message, int status) =>
        Results.Json(new ErrorResponse(message), ViewJsonContext.Default.ErrorResponse, statusCode: status);
}
