using Microsoft.Extensions.Diagnostics.HealthChecks;
using Registry.Server.Views;

namespace Registry.Server.Grpc;

/// <summary>
/// <c>grpc.health.v1</c> says SERVING once registrations are known (from ZooKeeper or the persisted view), as
/// <c>/readyz</c> does; a stale view still serves (it is the last good one), so stale is reported as degraded, not down.
/// </summary>
internal sealed class ViewHealthCheck(LiveView live) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var view = live.Current;
        return Task.FromResult(
            !live.HasRegistrations ? HealthCheckResult.Unhealthy("registrations are not known yet")
            : view.Stale ? HealthCheckResult.Degraded($"ZooKeeper is lost: serving the view of revision {view.Revision}, frozen")
            : HealthCheckResult.Healthy());
    }
}
