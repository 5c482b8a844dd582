using System.Net;

namespace Registry.Testing.Internal;

/// <summary>Where one ZooKeeper server runs: a local JVM or a container. <see cref="ZooKeeperServer"/> adds readiness and retries on top.</summary>
internal interface IServerHost : IAsyncDisposable
{
    ZooKeeperBackend Backend { get; }

    IPEndPoint EndPoint { get; }

    string DataDirectory { get; }

    /// <summary>The host directory holding config, data and log; deleted on dispose. Null for containers.</summary>
    string? RootDirectory { get; }

    string? LogFile { get; }

    int? ProcessId { get; }

    bool IsRunning { get; }

    /// <summary>The exit code of the last run once it has ended; null while running, before the first start, or when unknown.</summary>
    int? ExitCode { get; }

    /// <summary>How the last run ended ("exited with code 1"), or null while running.</summary>
    string? ExitDescription { get; }

    /// <summary>
    /// Text that this server's <c>conf</c> answer must contain. Another server that won the race for our port answers
    /// <c>srvr</c> just as well, so readiness also checks the answer really comes from us. Null when not needed.
    /// </summary>
    string? Identity { get; }

    /// <summary>Starts the server without waiting for it to serve.</summary>
    Task LaunchAsync(CancellationToken cancellationToken);

    /// <summary>SIGTERM, wait up to <paramref name="grace"/>, then kill.</summary>
    Task StopAsync(TimeSpan grace, CancellationToken cancellationToken);

    /// <summary>SIGKILL, like a crash.</summary>
    Task KillAsync();

    Task<string> ReadLogAsync();
}
