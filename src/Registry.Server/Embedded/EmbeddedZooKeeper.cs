using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Registry.Server.Embedded;

/// <summary>
/// A standalone ZooKeeper run as a child process from the installed package, for development and single-machine
/// setups (<c>--zookeeper embedded</c>). It listens on loopback only, keeps its data under
/// <c>{dataDir}/zookeeper</c> (so registrations' history survives a restart), and is stopped with the server. A
/// ZooKeeper left running by a server that was killed is found through its pid file and stopped at the next start.
/// </summary>
internal sealed partial class EmbeddedZooKeeper : IAsyncDisposable
{
    private const string MainClass = "org.apache.zookeeper.server.ZooKeeperServerMain";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly string _pidFile;
    private readonly ILogger _logger;

    private EmbeddedZooKeeper(Process process, string directory, int port, ILogger logger)
    {
        _process = process;
        _pidFile = Path.Combine(directory, "zookeeper.pid");
        _logger = logger;
        Directory = directory;
        Port = port;
    }

    /// <summary>The connect string of the running server.</summary>
    public string ConnectString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The client port.</summary>
    public int Port { get; }

    /// <summary>Where zoo.cfg, data/ and zookeeper.log are.</summary>
    public string Directory { get; }

    /// <summary>Starts the server and waits until it serves.</summary>
    /// <param name="dataDirectory">The server's data directory; ZooKeeper gets its <c>zookeeper</c> subdirectory.</param>
    /// <param name="port">The loopback client port.</param>
    /// <param name="logger">Where progress goes.</param>
    /// <param name="cancellationToken">Abandons the start (the child is stopped).</param>
    /// <exception cref="EmbeddedZooKeeperException">Java or ZooKeeper is missing, the port is taken, or the server did not come up; the message says what to do.</exception>
    public static async Task<EmbeddedZooKeeper> StartAsync(string dataDirectory, int port, ILogger logger, CancellationToken cancellationToken)
    {
        var installation = ZooKeeperInstallation.TryFind(out var problem) ?? throw new EmbeddedZooKeeperException(
            $"the embedded ZooKeeper needs Java and ZooKeeper 3.8, and {problem}. "
            + $"Install them (Debian/Ubuntu: {ZooKeeperInstallation.InstallHint}), "
            + $"or pass --zookeeper host:port to use a running ensemble.");

        var directory = Path.Combine(dataDirectory, "zookeeper");
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "data"));
        await StopLeftoverAsync(directory, logger).ConfigureAwait(false);
        if (await AnswersAsync(port, cancellationToken).ConfigureAwait(false))
        {
            throw new EmbeddedZooKeeperException(
                $"port {port} on 127.0.0.1 is taken, so the embedded ZooKeeper cannot listen there. If a ZooKeeper runs there, "
                + $"use it with --zookeeper 127.0.0.1:{port}; otherwise pick another port with --embedded-port.");
        }

        var config = Path.Combine(directory, "zoo.cfg");
        await File.WriteAllTextAsync(config, ZooCfg(directory, port), cancellationToken).ConfigureAwait(false);
        var log = Path.Combine(directory, "zookeeper.log");
        var process = Launch(installation, config, log);
        var server = new EmbeddedZooKeeper(process, directory, port, logger);
        await File.WriteAllTextAsync(server._pidFile, process.Id.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        Log.Starting(logger, port, process.Id, directory);
        try
        {
            await server.WaitUntilServingAsync(log, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Log.Started(logger, server.ConnectString);
        return server;
    }

    /// <summary>Stops the server: SIGTERM, then SIGKILL after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 15);
            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            Log.Stopped(_logger, ConnectString);
        }

        File.Delete(_pidFile);
        _process.Dispose();
    }

    private static string ZooCfg(string directory, int port) => string.Join('\n',
        "# written by registry-server for its embedded ZooKeeper; rewritten at every start",
        "tickTime=2000",
        $"dataDir={Path.Combine(directory, "data")}",
        string.Create(CultureInfo.InvariantCulture, $"clientPort={port}"),
        "clientPortAddress=127.0.0.1",
        // Every local registrant connects from 127.0.0.1; the default of 60 connections per address would refuse them.
        "maxClientCnxns=0",
        "admin.enableServer=false",
        "4lw.commands.whitelist=srvr,ruok,mntr,conf",
        // Snapshots and logs would otherwise grow without bound on a developer's disk.
        "autopurge.snapRetainCount=3",
        "autopurge.purgeInterval=1",
        "");

    private static Process Launch(ZooKeeperInstallation installation, string config, string log)
    {
        // Through sh, so the JVM's output goes straight to the log file: a pipe would need this process to drain it
        // and would stall ZooKeeper if the server hung.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$REGISTRY_ZK_LOG\" 2>&1 </dev/null");
        start.ArgumentList.Add(installation.JavaPath);
        foreach (var argument in new[] { "-Xmx512m", "-Dzookeeper.admin.enableServer=false", "-cp", installation.ClassPath, MainClass, config })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["REGISTRY_ZK_LOG"] = log;
        try
        {
            return Process.Start(start) ?? throw new EmbeddedZooKeeperException($"could not start {installation.JavaPath}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EmbeddedZooKeeperException($"could not start the embedded ZooKeeper with {installation.JavaPath}: {e.Message}", e);
        }
    }

    private async Task WaitUntilServingAsync(string log, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        var endPoint = new IPEndPoint(IPAddress.Loopback, Port);
        try
        {
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new EmbeddedZooKeeperException(
                        $"the embedded ZooKeeper exited with code {_process.ExitCode} before serving; its log ({log}) ends with:\n{await TailAsync(log).ConfigureAwait(false)}");
                }

                try
                {
                    var answer = await FourLetterWord.SendAsync(endPoint, "srvr", deadline.Token).ConfigureAwait(false);
                    if (FourLetterWord.ParseMode(answer) is "standalone")
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is SocketException or TimeoutException or IOException)
                {
                    // Not listening yet.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EmbeddedZooKeeperException(
                $"the embedded ZooKeeper did not serve within {StartTimeout.TotalSeconds:0} s; its log ({log}) ends with:\n{await TailAsync(log).ConfigureAwait(false)}");
        }
    }

    /// <summary>Stops a ZooKeeper that a killed server left running on this data directory.</summary>
    private static async Task StopLeftoverAsync(string directory, ILogger logger)
    {
        var pidFile = Path.Combine(directory, "zookeeper.pid");
        if (!File.Exists(pidFile) || !int.TryParse(await File.ReadAllTextAsync(pidFile).ConfigureAwait(false), CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        try
        {
            using var leftover = Process.GetProcessById(pid);

            // A recycled pid belongs to something else: only a JVM started with this directory's zoo.cfg is ours.
            var commandLine = await File.ReadAllTextAsync($"/proc/{pid}/cmdline").ConfigureAwait(false);
            if (commandLine.Contains(MainClass, StringComparison.Ordinal) && commandLine.Contains(Path.Combine(directory, "zoo.cfg"), StringComparison.Ordinal))
            {
                Log.StoppingLeftover(logger, pid);
                leftover.Kill(entireProcessTree: true);
                await leftover.WaitForExitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            // Gone already, or not readable: nothing of ours to stop.
        }

        File.Delete(pidFile);
    }

    private static async Task<bool> AnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task<string> TailAsync(string log)
    {
        try
        {
            var lines = await File.ReadAllLinesAsync(log).ConfigureAwait(false);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 30)));
        }
        catch (IOException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    // .NET can only SIGKILL a process; a graceful stop needs SIGTERM. DllImport rather than LibraryImport keeps the project free of unsafe code.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);

    private static partial class Log
    {
        [LoggerMessage(4101, LogLevel.Information, "embedded ZooKeeper starting on 127.0.0.1:{Port} (pid {Pid}, directory {Directory})")]
        public static partial void Starting(ILogger logger, int port, int pid, string directory);

        [LoggerMessage(4102, LogLevel.Information, "embedded ZooKeeper serving on {ConnectString}")]
        public static partial void Started(ILogger logger, string connectString);

        [LoggerMessage(4103, LogLevel.Information, "embedded ZooKeeper on {ConnectString} stopped")]
        public static partial void Stopped(ILogger logger, string connectString);

        [LoggerMessage(4104, LogLevel.Warning, "stopping embedded ZooKeeper pid {Pid} left running by a previous server")]
        public static partial void StoppingLeftover(ILogger logger, int pid);
    }
}
