using System.Net;
using System.Net.Sockets;
using Registry.Server.Embedded;
using Registry.Testing.Internal;

namespace Registry.Testing;

/// <summary>
/// A real ZooKeeper 3.8 server for integration tests: a local JVM (the default) or a Docker container.
/// Each server has its own loopback port and directory; <see cref="DisposeAsync"/> kills it and deletes the directory.
/// Lifecycle methods (<see cref="StopAsync"/>, <see cref="KillAsync"/>, <see cref="StartAgainAsync"/>) are not meant
/// to be called concurrently on one server.
/// </summary>
public sealed class ZooKeeperServer : IAsyncDisposable
{
    private const int StartAttempts = 3;
    private const int LogTailLines = 40;
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(50);

    private readonly IServerHost _host;
    private readonly ZooKeeperServerOptions _options;
    private readonly Func<bool>? _canServe;
    private bool _disposed;

    internal ZooKeeperServer(IServerHost host, ZooKeeperServerOptions options, int? serverId = null, Func<bool>? canServe = null)
    {
        _host = host;
        _options = options;
        ServerId = serverId;
        _canServe = canServe;
    }

    /// <summary>Where this server runs.</summary>
    public ZooKeeperBackend Backend => _host.Backend;

    /// <summary>The client address as a ZooKeeper connect string, <c>127.0.0.1:port</c>.</summary>
    public string ConnectString => $"{EndPoint.Address}:{EndPoint.Port}";

    /// <summary>The client port; it stays the same across <see cref="StartAgainAsync"/>.</summary>
    public int Port => EndPoint.Port;

    /// <summary>The client address.</summary>
    public IPEndPoint EndPoint => _host.EndPoint;

    /// <summary>ZooKeeper's dataDir (for the Docker backend, the path inside the container); kept across restarts.</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The directory with zoo.cfg, data/ and zookeeper.log (null for Docker); deleted on dispose.</summary>
    public string? RootDirectory => _host.RootDirectory;

    /// <summary>The server's stdout and stderr, appended across restarts (null for Docker).</summary>
    public string? LogFile => _host.LogFile;

    /// <summary>The JVM's process id of the latest start (null for Docker).</summary>
    public int? ProcessId => _host.ProcessId;

    /// <summary>
    /// The exit code of the latest run once it has ended (null while running, and for Docker): 143 after a graceful
    /// <see cref="StopAsync"/> (128 + SIGTERM), 137 after <see cref="KillAsync"/>, anything else means it died on its own.
    /// </summary>
    public int? ExitCode => _host.ExitCode;

    /// <summary>The <c>myid</c> of an ensemble member; null for a standalone server.</summary>
    public int? ServerId { get; }

    /// <summary>True from a start until <see cref="StopAsync"/>, <see cref="KillAsync"/> or the process exiting on its own.</summary>
    public bool IsRunning => _host.IsRunning;

    /// <summary>
    /// Starts a standalone server and waits until it answers <c>srvr</c> with <c>Mode: standalone</c>. A start that
    /// loses the race for its port is retried on a fresh port.
    /// </summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Abandons the start (the server is killed and its directory deleted).</param>
    /// <exception cref="ZooKeeperUnavailableException">Neither Java with a ZooKeeper jar nor Docker is available; the message says what to install.</exception>
    /// <exception cref="ZooKeeperStartException">The server exited or did not serve within <see cref="ZooKeeperServerOptions.StartTimeout"/>; the message has its log tail.</exception>
    public static async Task<ZooKeeperServer> StartAsync(ZooKeeperServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ZooKeeperServerOptions();
        var backend = await BackendSelector.ResolveAsync(options.Backend).ConfigureAwait(false);
        if (backend == ZooKeeperBackend.Docker)
        {
            try
            {
                return await StartOnFreePortAsync(() => ContainerServerHost.Create(options), options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException
                && BackendSelector.WasAutomatic(options.Backend)
                && ZooKeeperInstallation.TryFind(out _) is not null)
            {
                // Auto picked Docker because an engine answered, but it cannot run the image (offline, no permission...):
                // local processes work here, so use them for the rest of the run rather than fail every test.
                BackendSelector.DockerFailed();
            }
        }

        var installation = RequireInstallation(dockerWasConsidered: BackendSelector.WasAutomatic(options.Backend));
        return await StartOnFreePortAsync(
            () => new LocalServerHost(
                ProcessJanitor.CreateDirectory("standalone"),
                FreePorts.Next(),
                [],
                myId: null,
                LocalServerHost.StandaloneMain,
                options,
                installation),
            options,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the server gracefully: SIGTERM, then SIGKILL if it has not exited within <see cref="ZooKeeperServerOptions.StopTimeout"/>. Does nothing if it is not running.</summary>
    /// <param name="cancellationToken">Stops waiting for the graceful exit.</param>
    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _host.StopAsync(_options.StopTimeout, cancellationToken);
    }

    /// <summary>Kills the server with SIGKILL, like a crash of its process; sessions and data stay on disk for <see cref="StartAgainAsync"/>.</summary>
    public Task KillAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _host.KillAsync();
    }

    /// <summary>
    /// Starts the stopped or killed server again on the same port with the same data directory, so clients can reconnect
    /// to it and sessions that have not timed out survive. Waits until it serves; an ensemble member whose ensemble has
    /// no running majority cannot serve, so then it only waits until the member answers at all.
    /// </summary>
    /// <param name="cancellationToken">Abandons the wait (the server keeps running).</param>
    /// <exception cref="InvalidOperationException">The server is running.</exception>
    /// <exception cref="ZooKeeperStartException">It exited or did not come up within <see cref="ZooKeeperServerOptions.StartTimeout"/> (for example because something else took the port meanwhile).</exception>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            throw new InvalidOperationException($"ZooKeeper on {ConnectString} is already running; stop or kill it first");
        }

        await _host.LaunchAsync(cancellationToken).ConfigureAwait(false);
        await WaitUntilReadyAsync(requireServing: _canServe?.Invoke() ?? true, _options.StartTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a four-letter word (<c>ruok</c>, <c>srvr</c>, <c>conf</c>, <c>dump</c>, <c>mntr</c>...) and returns the answer.</summary>
    /// <param name="word">The command.</param>
    /// <param name="cancellationToken">Abandons the exchange.</param>
    /// <exception cref="SocketException">The server is not listening.</exception>
    /// <exception cref="TimeoutException">No complete answer within 5 s.</exception>
    public Task<string> SendFourLetterWordAsync(string word, CancellationToken cancellationToken = default) =>
        FourLetterWord.SendAsync(EndPoint, word, cancellationToken);

    /// <summary>
    /// The server's current role from <c>srvr</c> (<c>standalone</c>, <c>leader</c>, <c>follower</c>, <c>observer</c>),
    /// or null when it is not serving, not running or not answering.
    /// </summary>
    /// <param name="cancellationToken">Abandons the exchange.</param>
    public async Task<string?> GetModeAsync(CancellationToken cancellationToken = default)
    {
        if (!IsRunning)
        {
            return null;
        }

        try
        {
            return FourLetterWord.ParseMode(await SendFourLetterWordAsync("srvr", cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            return null;
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of the server's log, for diagnostics.</summary>
    /// <param name="lines">How many lines to return.</param>
    public async Task<string> ReadLogTailAsync(int lines = LogTailLines)
    {
        var log = await _host.ReadLogAsync().ConfigureAwait(false);
        var all = log.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Kills the server (its whole process tree) and deletes its directory, whatever state it is in. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _host.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Polls <c>srvr</c> until the server serves (or, with <paramref name="requireServing"/> false, answers at all),
    /// failing fast with the log tail when the process exits first.
    /// </summary>
    internal async Task WaitUntilReadyAsync(bool requireServing, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var lastAnswer = "nothing yet";
        try
        {
            while (true)
            {
                if (!IsRunning)
                {
                    throw await StartFailureAsync($"the server {_host.ExitDescription} before it was ready").ConfigureAwait(false);
                }

                try
                {
                    var answer = await SendFourLetterWordAsync("srvr", deadline.Token).ConfigureAwait(false);
                    var mode = FourLetterWord.ParseMode(answer);
                    if (mode is not null)
                    {
                        await VerifyIdentityAsync(deadline.Token).ConfigureAwait(false);
                        return;
                    }

                    if (!requireServing && answer.Length > 0)
                    {
                        return;
                    }

                    lastAnswer = answer.Length > 0 ? answer.Trim() : "connection closed without an answer";
                }
                catch (Exception e) when (e is SocketException or TimeoutException or IOException)
                {
                    lastAnswer = e.Message;
                }

                await Task.Delay(ReadyPollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw await StartFailureAsync(
                $"the server did not {(requireServing ? "serve requests" : "answer")} within {timeout.TotalSeconds:0.#} s "
                + $"(last answer to srvr: {lastAnswer})").ConfigureAwait(false);
        }
    }

    /// <summary>Starts the process without waiting; the ensemble launches all members before it waits for the quorum.</summary>
    internal Task LaunchAsync(CancellationToken cancellationToken) => _host.LaunchAsync(cancellationToken);

    /// <summary>Builds the start failure: the reason, the log tail, and whether it looks like a lost port race.</summary>
    internal async Task<ZooKeeperStartException> StartFailureAsync(string reason, int logLines = LogTailLines)
    {
        var log = await _host.ReadLogAsync().ConfigureAwait(false);
        var portConflict = log.Contains("Address already in use", StringComparison.Ordinal)
            || log.Contains("BindException", StringComparison.Ordinal)
            || log.Contains("port is already allocated", StringComparison.Ordinal);
        var where = LogFile is null ? "" : $" ({LogFile})";
        return new ZooKeeperStartException(
            $"ZooKeeper on {ConnectString} failed to start: {reason}.\n--- last lines of its log{where} ---\n"
            + await ReadLogTailAsync(logLines).ConfigureAwait(false))
        {
            IsPortConflict = portConflict,
        };
    }

    /// <exception cref="ZooKeeperUnavailableException">The local-process backend cannot run here.</exception>
    internal static ZooKeeperInstallation RequireInstallation(bool dockerWasConsidered)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new ZooKeeperUnavailableException(
                $"The local-process ZooKeeper backend needs a Unix shell; on Windows set {BackendSelector.EnvironmentVariable}=docker.");
        }

        return ZooKeeperInstallation.TryFind(out var problem) ?? throw BackendSelector.Unavailable(problem, dockerWasConsidered);
    }

    /// <summary>Launches hosts made by <paramref name="createHost"/> until one serves, retrying only lost port races.</summary>
    private static async Task<ZooKeeperServer> StartOnFreePortAsync(
        Func<IServerHost> createHost,
        ZooKeeperServerOptions options,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var server = new ZooKeeperServer(createHost(), options);
            try
            {
                try
                {
                    await server._host.LaunchAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException and not ZooKeeperStartException)
                {
                    // Docker refuses a taken host port when the container starts; a local launch fails here only for a missing binary.
                    var portTaken = e.Message.Contains("port is already allocated", StringComparison.Ordinal)
                        || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
                    throw new ZooKeeperStartException($"ZooKeeper failed to launch: {e.Message}", e) { IsPortConflict = portTaken };
                }

                await server.WaitUntilReadyAsync(requireServing: true, options.StartTimeout, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (ZooKeeperStartException e) when (e.IsPortConflict && attempt < StartAttempts)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    internal async Task VerifyIdentityAsync(CancellationToken cancellationToken)
    {
        if (_host.Identity is not { } identity)
        {
            return;
        }

        var conf = await SendFourLetterWordAsync("conf", cancellationToken).ConfigureAwait(false);
        // A member that lost its quorum meanwhile answers "not serving" instead of its config; that proves nothing either way.
        if (conf.Contains("dataDir=", StringComparison.Ordinal) && !conf.Contains(identity, StringComparison.Ordinal))
        {
            throw new ZooKeeperStartException(
                $"another ZooKeeper answers on {ConnectString} (its conf does not show our dataDir {identity})")
            {
                IsPortConflict = true,
            };
        }
    }
}
