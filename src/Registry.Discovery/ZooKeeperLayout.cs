using Registry.Core.Names;

namespace Registry.Discovery;

/// <summary>
/// Where registrations live (DESIGN §3, compatible with Curator x-discovery and Spring Cloud Zookeeper):
/// <c>{base}/{service}/{instanceId}</c>, default base <c>/services</c>; service nodes are containers.
/// </summary>
public sealed record ZooKeeperLayout
{
    /// <summary>The layout with the default base path.</summary>
    public static ZooKeeperLayout Default { get; } = new();

    /// <summary>The base path under which every service has its node.</summary>
    public string BasePath { get; init; } = "/services";

    /// <summary>The node of a service.</summary>
    public string ServicePath(ServiceName service) => $"{BasePath.TrimEnd('/')}/{service.Value}";

    /// <summary>The node of one instance.</summary>
    public string InstancePath(ServiceName service, string instanceId) => $"{ServicePath(service)}/{instanceId}";
}
