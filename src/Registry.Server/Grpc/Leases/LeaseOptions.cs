namespace Registry.Server.Grpc.Leases;

/// <summary>How Register leases behave (<c>--lease-timeout</c>).</summary>
internal sealed record LeaseOptions
{
    /// <summary>A lease whose stream is silent this long is ended and its znode deleted.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
