namespace Registry.Testing;

/// <summary>
/// Settings for <see cref="ZooKeeperServer.StartAsync"/> and <see cref="ZooKeeperEnsemble.StartAsync"/>.
/// The defaults suit fast integration tests: a 500 ms tick, session timeouts between 1 s and 60 s,
/// no fsync, every four-letter word allowed, TTL nodes enabled and the admin HTTP server off.
/// </summary>
public sealed class ZooKeeperServerOptions
{
    /// <summary>Environment variable that replaces <see cref="DefaultJvmOptions"/> (space separated), e.g. for benchmarks that want the full JIT.</summary>
    public const string JvmOptionsEnvironmentVariable = "REGISTRY_ZOOKEEPER_JVM_OPTS";

    /// <summary>
    /// JVM flags used when neither <see cref="JvmOptions"/> nor <see cref="JvmOptionsEnvironmentVariable"/> is set.
    /// A small heap, the serial collector and the C1-only JIT start a server in about a second on two cores,
    /// which matters more to a test suite than peak throughput.
    /// </summary>
    public static IReadOnlyList<string> DefaultJvmOptions { get; } =
        ["-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"];

    /// <summary>ZooKeeper's <c>tickTime</c> in milliseconds; session timeouts and ensemble limits are multiples of it.</summary>
    public int TickTime { get; set; } = 500;

    /// <summary>
    /// zoo.cfg entries added after the harness's own; an entry with the same key replaces the harness's value
    /// (e.g. <c>["maxClientCnxns"] = "10"</c> or <c>["authProvider.1"] = "..."</c>).
    /// </summary>
    public IDictionary<string, string> ExtraConfig { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Java system properties passed as <c>-Dkey=value</c>, after the harness's own
    /// (<c>zookeeper.extendedTypesEnabled=true</c>, <c>zookeeper.admin.enableServer=false</c>), which they can replace.
    /// Use it for e.g. <c>zookeeper.authProvider.1</c> or <c>zookeeper.DigestAuthenticationProvider.superDigest</c>.
    /// </summary>
    public IDictionary<string, string> SystemProperties { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>JVM flags; <see langword="null"/> means <see cref="JvmOptionsEnvironmentVariable"/> if set, else <see cref="DefaultJvmOptions"/>.</summary>
    public IReadOnlyList<string>? JvmOptions { get; set; }

    /// <summary>How long a start (or restart) may take before it fails with the log tail; for an ensemble, the whole quorum.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="ZooKeeperServer.StopAsync"/> waits after SIGTERM before it kills the process.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where servers run; <see cref="ZooKeeperBackend.Auto"/> defers to the <c>REGISTRY_TEST_ZOOKEEPER</c> environment variable.</summary>
    public ZooKeeperBackend Backend { get; set; } = ZooKeeperBackend.Auto;

    /// <summary>Image used by the Docker backend.</summary>
    public string DockerImage { get; set; } = "zookeeper:3.8";

    internal IReadOnlyList<string> ResolveJvmOptions()
    {
        if (JvmOptions is not null)
        {
            return JvmOptions;
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(JvmOptionsEnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment)
            ? DefaultJvmOptions
            : fromEnvironment.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
