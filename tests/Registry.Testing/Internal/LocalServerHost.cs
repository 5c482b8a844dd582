using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Registry.Server.Embedded;

namespace Registry.Testing.Internal;

/// <summary>One ZooKeeper JVM as a child process, with its own directory: zoo.cfg, data/ (and myid), zookeeper.log, server.pid.</summary>
internal sealed class LocalServerHost : IServerHost
{
    public const string StandaloneMain = "org.apache.zookeeper.server.ZooKeeperServerMain";
    public const string QuorumPeerMain = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

    private const int SigTerm = 15;

    // Kill must not hang a test forever; SIGKILL of a local process normally takes milliseconds.
    private static readonly TimeSpan KillTimeout = TimeSpan.FromSeconds(10);

    // slf4j-simple is what Debian's jar logs through (see ZooKeeperInstallation); timestamps make failure logs readable.
    private static readonly KeyValuePair<string, string>[] LoggingProperties =
    [
        new("org.slf4j.simpleLogger.showDateTime", "true"),
        new("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS"),
    ];

    private readonly string _javaPath;
    private readonly List<string> _arguments;
    private Process? _process;
    private int _launches;

    /// <summary>Writes zoo.cfg (and myid) into <paramref name="rootDirectory"/>; nothing runs until <see cref="LaunchAsync"/>.</summary>
    /// <param name="rootDirectory">An empty directory that this host owns from now on.</param>
    /// <param name="clientPort">The loopback client port.</param>
    /// <param name="roleSettings">zoo.cfg entries for the role, e.g. the server.N lines of an ensemble.</param>
    /// <param name="myId">The ensemble member id, or null for a standalone server.</param>
    /// <param name="mainClass"><see cref="StandaloneMain"/> or <see cref="QuorumPeerMain"/>.</param>
    /// <param name="options">Tick time, extra config, system properties and JVM flags.</param>
    /// <param name="installation">Where java and the jar are.</param>
    public LocalServerHost(
        string rootDirectory,
        int clientPort,
        IEnumerable<KeyValuePair<string, string>> roleSettings,
        int? myId,
        string mainClass,
        ZooKeeperServerOptions options,
        ZooKeeperInstallation installation)
    {
        RootDirectory = rootDirectory;
        DataDirectory = Path.Combine(rootDirectory, "data");
        LogFile = Path.Combine(rootDirectory, "zookeeper.log");
        EndPoint = new IPEndPoint(IPAddress.Loopback, clientPort);
        var configFile = Path.Combine(rootDirectory, "zoo.cfg");

        Directory.CreateDirectory(DataDirectory);
        List<KeyValuePair<string, string>> settings =
        [
            .. ZooCfg.Common(options),
            new("dataDir", DataDirectory),
            new("clientPort", clientPort.ToString(CultureInfo.InvariantCulture)),
            // Loopback only: tests must not expose servers, and it keeps the port choice honest.
            new("clientPortAddress", IPAddress.Loopback.ToString()),
            .. roleSettings,
        ];
        File.WriteAllText(configFile, ZooCfg.Render(settings, options));
        if (myId is int id)
        {
            File.WriteAllText(Path.Combine(DataDirectory, "myid"), id.ToString(CultureInfo.InvariantCulture) + "\n");
        }

        _javaPath = installation.JavaPath;
        _arguments =
        [
            .. options.ResolveJvmOptions(),
            .. ZooCfg.SystemPropertyFlags(options, LoggingProperties),
            "-cp",
            installation.ClassPath,
            mainClass,
            configFile,
        ];
    }

    public ZooKeeperBackend Backend => ZooKeeperBackend.Process;

    public IPEndPoint EndPoint { get; }

    public string DataDirectory { get; }

    public string RootDirectory { get; }

    public string LogFile { get; }

    public int? ProcessId { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string? ExitDescription => _process switch
    {
        null => "was never started",
        { HasExited: true } p => $"exited with code {p.ExitCode}",
        _ => null,
    };

    // conf prints "dataDir=<DataDirectory>/version-2", and no other server uses our directory.
    public string Identity => DataDirectory;

    public async Task LaunchAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("the server is already running");
        }

        if (_process is { } previous)
        {
            ProcessJanitor.Unregister(previous);
            previous.Dispose();
        }

        _launches++;
        await File.AppendAllTextAsync(
            LogFile,
            $"==== Registry.Testing: launch {_launches} at {DateTime.UtcNow:O} ====\n",
            cancellationToken).ConfigureAwait(false);

        // exec makes the pid we hold the JVM's own, so signals reach it directly. The shell's redirection sends the JVM's
        // output straight into the log file: nothing in this process has to pump it, and it keeps working if we die.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = RootDirectory };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$REGISTRY_ZK_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(_javaPath);
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["REGISTRY_ZK_LOG"] = LogFile;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_javaPath}");
        _process = process;
        ProcessId = process.Id;
        ProcessJanitor.Register(process, RootDirectory);
        await File.WriteAllTextAsync(
            Path.Combine(RootDirectory, ProcessJanitor.PidFileName),
            process.Id.ToString(CultureInfo.InvariantCulture),
            CancellationToken.None).ConfigureAwait(false);
    }

    public async Task StopAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        if (!OperatingSystem.IsWindows() && SendSignal(process.Id, SigTerm) == 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Did not exit in time: kill it below.
            }
        }

        await KillAsync().ConfigureAwait(false);
    }

    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var timeout = new CancellationTokenSource(KillTimeout);
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        ProcessJanitor.Unregister(process);
    }

    public async Task<string> ReadLogAsync()
    {
        try
        {
            // The JVM may still be writing; share the file rather than wait for it.
            var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return await reader.ReadToEndAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        finally
        {
            _process?.Dispose();
            await ProcessJanitor.DeleteDirectoryAsync(RootDirectory).ConfigureAwait(false);
        }
    }

    // .NET can only SIGKILL a process; a graceful stop needs SIGTERM. DllImport rather than LibraryImport keeps the project free of unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}
