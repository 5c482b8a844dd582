using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Server.Views;

namespace Registry.Server.Http;

/// <summary>
/// The view as JSON over HTTP (until the DNS and gRPC front ends land, and beside them after): <c>GET /v1/services</c>,
/// <c>GET /v1/services/{name}</c>, and the probes <c>/healthz</c> and <c>/readyz</c>. Every answer carries the view's
/// revision and stale flag, so a client can tell a frozen view from a live one.
/// </summary>
internal static class ViewEndpoints
{
    public static IEndpointRouteBuilder MapViewEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/services", (LiveView live, ViewService watcher) =>
        {
            var view = live.Current;
            var response = new ServicesResponse(ViewDtos.Header(view, live, watcher.SkippedRegistrations), [.. view.Services.Select(ViewDtos.Summary)]);
            return Results.Json(response, ViewJsonContext.Default.ServicesResponse);
        });

        app.MapGet("/v1/services/{name}", (string name, LiveView live, ViewService watcher) =>
        {
            var view = live.Current;
            IReadOnlyList<MergedService> found;
            if (name.StartsWith('_'))
            {
                found = view.FindBySrvName(name) is { } service ? [service] : [];
            }
            else if (ServiceName.TryParse(name, out var service, out var error))
            {
                found = [.. view.Services.Where(s => s.Service == service)];
            }
            else
            {
                return Results.Json(new ErrorResponse($"{ClientText.Quote(name)} is not a service name: {error}"), ViewJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status400BadRequest);
            }

            return found.Count == 0
                ? Results.Json(new ErrorResponse($"no service {ClientText.Quote(name)} in the view (revision {view.Revision})"), ViewJsonContext.Default.ErrorResponse, statusCode: StatusCodes.Status404NotFound)
                : Results.Json(new ServiceResponse(ViewDtos.Header(view, live, watcher.SkippedRegistrations), [.. found.Select(ViewDtos.Detail)]), ViewJsonContext.Default.ServiceResponse);
        });

        app.MapGet("/healthz", () => Results.Text("ok\n"));

        // Ready once registrations are known (from ZooKeeper, or the persisted view during an outage); stale is reported, not fatal.
        app.MapGet("/readyz", (LiveView live) =>
        {
            var view = live.Current;
            return Results.Json(
                new ReadinessResponse(live.HasRegistrations, view.Stale, view.Revision.ToString()),
                ViewJsonContext.Default.ReadinessResponse,
                statusCode: live.HasRegistrations ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });

        return app;
    }
}
