using Registry.Core.Names;

namespace Registry.Core.Instances;

/// <summary>
/// One running instance of a service, as registered in ZooKeeper (DESIGN §3). The znode holds Curator x-discovery
/// <c>ServiceInstance</c> JSON; Registry's own fields (priority, weight, protocol, hostname, named ports, status,
/// metadata) live in its <c>payload</c> object. Null priority or weight means "not set": the merge uses the
/// declared values, else the defaults.
/// </summary>
public sealed record ServiceInstance
{
    /// <summary>The SRV priority when neither the registration nor the zone file sets one.</summary>
    public const int DefaultPriority = 10;
    /// <summary>The SRV weight when neither the registration nor the zone file sets one.</summary>
    public const int DefaultWeight = 10;

    /// <summary>The service the instance belongs to.</summary>
    public required ServiceName Service { get; init; }

    /// <summary>The instance id, a DNS label: it names the instance's target <c>&lt;id&gt;.&lt;service&gt;.&lt;zone&gt;</c>.</summary>
    public required string Id { get; init; }

    /// <summary>An IP address literal, or a host name.</summary>
    public string? Address { get; init; }

    /// <summary>The main port.</summary>
    public int? Port { get; init; }

    /// <summary>Curator's TLS port.</summary>
    public int? SslPort { get; init; }

    /// <summary>SRV priority override; null keeps the declared one (or the default).</summary>
    public int? Priority { get; init; }

    /// <summary>SRV weight override; null keeps the declared one (or the default).</summary>
    public int? Weight { get; init; }

    /// <summary>The SRV protocol label without the underscore: <c>tcp</c> (default) or <c>udp</c>.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>An explicit SRV target (absolute name with trailing dot) instead of the generated one.</summary>
    public string? Hostname { get; init; }

    /// <summary>Named extra ports, published as <c>_name._tcp.service.zone</c> SRV.</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = new Dictionary<string, int>();

    /// <summary>Whether the instance takes traffic.</summary>
    public InstanceStatus Status { get; init; } = InstanceStatus.Up;

    /// <summary>Free-form metadata (payload <c>metadata</c>, or Spring Cloud's).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Curator's <c>registrationTimeUTC</c>.</summary>
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>Curator's <c>serviceType</c>: DYNAMIC (ephemeral), DYNAMIC_SEQUENTIAL, STATIC or PERMANENT.</summary>
    public string ServiceType { get; init; } = "DYNAMIC";

    /// <summary>Curator's optional <c>uriSpec</c>, kept as written.</summary>
    public string? UriSpec { get; init; }

    /// <summary>Where this registration was read from; null for one not read from ZooKeeper.</summary>
    public ZnodeSource? Source { get; init; }

    /// <summary>True when the instance takes no traffic (draining or out of service).</summary>
    public bool IsDrained => Status != InstanceStatus.Up;
}
