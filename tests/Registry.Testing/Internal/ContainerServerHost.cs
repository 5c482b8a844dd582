using System.Net;
using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace Registry.Testing.Internal;

/// <summary>
/// A standalone server in a <c>zookeeper:3.8</c> container. It gets the very zoo.cfg the process backend would write
/// (so settings cannot drift between backends) and the -D flags through the image's <c>JVMFLAGS</c>. The host port is
/// picked by the harness rather than by Docker because a restarted container keeps a fixed binding, which is what
/// lets <see cref="ZooKeeperServer.StartAgainAsync"/> come back on the same port with the same data.
/// </summary>
internal sealed class ContainerServerHost : IServerHost
{
    private const int ClientPort = 2181;
    private readonly IContainer _container;
    private bool _running;

    private ContainerServerHost(IContainer container, int hostPort)
    {
        _container = container;
        EndPoint = new IPEndPoint(IPAddress.Loopback, hostPort);
    }

    public ZooKeeperBackend Backend => ZooKeeperBackend.Docker;

    /// <summary>Loopback until the first start, then the Docker host's address (known only once the container runs).</summary>
    public IPEndPoint EndPoint { get; private set; }

    /// <summary>The data directory inside the container.</summary>
    public string DataDirectory => "/data";

    public string? RootDirectory => null;

    public string? LogFile => null;

    public int? ProcessId => null;

    public bool IsRunning => _running;

    public int? ExitCode => null;

    public string? ExitDescription => _running ? null : "is stopped";

    // Docker owns the host port binding, so no other server can answer on it.
    public string? Identity => null;

    public static ContainerServerHost Create(ZooKeeperServerOptions options)
    {
        var hostPort = FreePorts.Next();
        List<KeyValuePair<string, string>> settings =
        [
            .. ZooCfg.Common(options),
            new("dataDir", "/data"),
            new("dataLogDir", "/datalog"),
            new("clientPort", ClientPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        var jvmFlags = string.Join(' ', [.. options.ResolveJvmOptions(), .. ZooCfg.SystemPropertyFlags(options, [])]);
        var container = new ContainerBuilder(options.DockerImage)
            .WithPortBinding(hostPort, ClientPort)
            // The image's entrypoint only generates zoo.cfg when none exists, so this one is used as is.
            .WithResourceMapping(Encoding.UTF8.GetBytes(ZooCfg.Render(settings, options)), "/conf/zoo.cfg")
            .WithEnvironment("JVMFLAGS", jvmFlags)
            // docker stop then kills at once, which is what KillAsync wants; StopAsync sends SIGTERM itself first.
            .WithCreateParameterModifier(p => p.StopSignal = "SIGKILL")
            .Build();
        return new ContainerServerHost(container, hostPort);
    }

    public async Task LaunchAsync(CancellationToken cancellationToken)
    {
        await _container.StartAsync(cancellationToken).ConfigureAwait(false);
        _running = true;
        EndPoint = new IPEndPoint(ResolveHost(_container.Hostname), EndPoint.Port);
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (!_running)
        {
            return;
        }

        // The JVM is pid 1 in the container and has a SIGTERM handler, so this is a graceful stop.
        await _container.ExecAsync(["sh", "-c", "kill -TERM 1"], cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(grace);
        try
        {
            await _container.GetExitCodeAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Did not exit in time: the stop below kills it.
        }

        await KillAsync().ConfigureAwait(false);
    }

    public async Task KillAsync()
    {
        await _container.StopAsync().ConfigureAwait(false);
        _running = false;
    }

    public async Task<string> ReadLogAsync()
    {
        var (stdout, stderr) = await _container.GetLogsAsync().ConfigureAwait(false);
        return stdout + stderr;
    }

    public ValueTask DisposeAsync() => _container.DisposeAsync();

    private static IPAddress ResolveHost(string host) =>
        IPAddress.TryParse(host, out var address)
            ? address
            : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
}
