using Registry.Core.Names;

namespace Registry.Core.Merge;

/// <summary>The merged view of one service: what every front end answers, and why.</summary>
/// <param name="Service">The service name.</param>
/// <param name="Protocol">The SRV protocol label without its underscore.</param>
/// <param name="Zone">The zone the service is published in (absolute, lower case, trailing dot).</param>
/// <param name="Mode">Static, hybrid or dynamic.</param>
/// <param name="Degraded">True when the panic floor made a hybrid service serve its declared set.</param>
/// <param name="Endpoints">Every endpoint, in answers or not, ordered by priority, then target, then port.</param>
/// <param name="Drift">Declared-but-not-running and running-but-undeclared.</param>
public sealed record MergedService(
    ServiceName Service,
    string Protocol,
    string Zone,
    ServiceMode Mode,
    bool Degraded,
    IReadOnlyList<Endpoint> Endpoints,
    Drift Drift)
{
    /// <summary>The endpoints DNS and resolution answer with.</summary>
    public IEnumerable<Endpoint> Answer => Endpoints.Where(e => e.InAnswer);

    /// <summary>The SRV owner name, e.g. <c>_web._tcp.svc.example.</c>.</summary>
    public string SrvName => $"_{Service.Value.ToLowerInvariant()}._{Protocol}.{Zone}";
}
