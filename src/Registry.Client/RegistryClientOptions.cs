namespace Registry.Client;

/// <summary>How <see cref="RegistryClient"/> reaches the registry servers and retries.</summary>
public sealed class RegistryClientOptions
{
    /// <summary>The registry servers' gRPC addresses (e.g. <c>http://10.0.0.5:8054</c>); a broken stream moves on to the next one.</summary>
    public IList<Uri> Addresses { get; } = [];

    /// <summary>The first wait before reconnecting a broken stream; doubled per failed attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between reconnection attempts.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A write token, sent as <c>authorization: Bearer &lt;token&gt;</c> on every call, for servers started with
    /// <c>--auth-tokens</c> (they refuse Register and Deregister without one); null sends none. Over an <c>http://</c>
    /// address it crosses the network in clear text, like everything else on that connection.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>
    /// The largest message accepted from a server (64 MiB by default; gRPC's usual 4 MiB is less than the snapshot of a
    /// large registry: a Watch of everything, or ListServices, over ~100,000 instances). A larger one fails the call
    /// with RESOURCE_EXHAUSTED, which is not retried: the same request would get the same answer.
    /// </summary>
    public int MaxReceiveMessageSize { get; set; } = 64 * 1024 * 1024;

    /// <summary>HTTP/2 ping interval on idle connections, so that a dead server is noticed even while nothing changes.</summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);
}
