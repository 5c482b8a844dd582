using Registry.Server.Embedded;

namespace Registry.Testing.Internal;

/// <summary>Turns <see cref="ZooKeeperBackend.Auto"/> and <c>REGISTRY_TEST_ZOOKEEPER</c> into a concrete backend.</summary>
internal static class BackendSelector
{
    public const string EnvironmentVariable = "REGISTRY_TEST_ZOOKEEPER";

    // Set once a container failed to start under Auto, so the rest of the run goes straight to local processes.
    private static volatile bool _dockerFailed;

    public static async Task<ZooKeeperBackend> ResolveAsync(ZooKeeperBackend requested)
    {
        var backend = requested == ZooKeeperBackend.Auto ? Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)) : requested;
        if (backend != ZooKeeperBackend.Auto)
        {
            return backend;
        }

        return !_dockerFailed && await DockerProbe.IsReachableAsync().ConfigureAwait(false)
            ? ZooKeeperBackend.Docker
            : ZooKeeperBackend.Process;
    }

    /// <summary>True when Docker was chosen by <see cref="ZooKeeperBackend.Auto"/>, so a failure may fall back to processes.</summary>
    public static bool WasAutomatic(ZooKeeperBackend requested) =>
        requested == ZooKeeperBackend.Auto && Parse(Environment.GetEnvironmentVariable(EnvironmentVariable)) == ZooKeeperBackend.Auto;

    public static void DockerFailed() => _dockerFailed = true;

    /// <exception cref="ArgumentException">The value is not process, docker or auto.</exception>
    internal static ZooKeeperBackend Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "AUTO" => ZooKeeperBackend.Auto,
        "PROCESS" => ZooKeeperBackend.Process,
        "DOCKER" => ZooKeeperBackend.Docker,
        _ => throw new ArgumentException($"{EnvironmentVariable}={value} is not one of: process, docker, auto"),
    };

    /// <summary>The exception for a machine where the local-process backend cannot run, saying how to fix it.</summary>
    internal static ZooKeeperUnavailableException Unavailable(string problem, bool dockerWasConsidered) => new(
        $"Cannot run a real ZooKeeper for tests: {problem}. "
        + $"Install Java and ZooKeeper 3.8 (Debian/Ubuntu: `{ZooKeeperInstallation.InstallHint}`), "
        + $"or point {ZooKeeperInstallation.JarEnvironmentVariable} at a zookeeper.jar (or ZOOKEEPER_HOME at an unpacked release) "
        + "and JAVA_HOME at a Java 11+ runtime"
        + (dockerWasConsidered
            ? $"; or start a Docker engine (no engine answered at DOCKER_HOST or /var/run/docker.sock), or set {EnvironmentVariable}=docker."
            : $"; or set {EnvironmentVariable}=docker to use Docker instead."));
}
