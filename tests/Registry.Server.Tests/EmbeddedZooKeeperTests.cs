using System.Diagnostics;
using System.Globalization;
using System.Net;
using Registry.Server.Embedded;
using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.Server.Tests;

/// <summary><c>--zookeeper embedded</c>: the server starts its own ZooKeeper, stops it with itself, and explains what is missing.</summary>
public sealed class EmbeddedZooKeeperTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TestZones _zones = new();

    public void Dispose() => _zones.Dispose();

    [Fact]
    public async Task The_embedded_zookeeper_serves_registrations_and_stops_with_the_server_even_after_a_kill()
    {
        var port = FreePorts.Next();
        string[] args = ["--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--embedded-port", port.ToString(CultureInfo.InvariantCulture)];
        var pidFile = Path.Combine(_zones.DataDirectory, "zookeeper", "zookeeper.pid");

        await using (var server = RegistryServerProcess.Start(args))
        {
            await server.WaitReadyAsync();
            using var registrant = RegistrantProcess.Start($"127.0.0.1:{port}", "web", "ap1", "127.0.0.1", 4070, "10s");
            await server.UntilServiceAsync("web", v => v.StateOf("ap1.hosts.svc.example.") == "live", Deadline, "ap1 is live through the embedded ZooKeeper");
            registrant.Kill();

            // Killed with SIGKILL, the server cannot stop its ZooKeeper: the next start must.
            await RegistryServerProcess.KillAsync("KILL", server.Pid);
            await Poll.UntilAsync(() => server.HasExited, Deadline, "the server died");
        }

        var leftover = int.Parse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture);
        Assert.True(IsRunning(leftover), "the killed server's ZooKeeper is still running");

        await using (var server = RegistryServerProcess.Start(args))
        {
            await server.WaitReadyAsync();
            Assert.Contains($"stopping embedded ZooKeeper pid {leftover} left running", server.Output, StringComparison.Ordinal);
            Assert.False(IsRunning(leftover));
            var current = int.Parse(await File.ReadAllTextAsync(pidFile), CultureInfo.InvariantCulture);

            await server.StopAsync();
            Assert.Equal(0, server.ExitCode);
            Assert.False(IsRunning(current), "a graceful stop stops the embedded ZooKeeper");
            Assert.False(File.Exists(pidFile));
        }
    }

    [Fact]
    public async Task A_taken_port_and_a_missing_java_get_errors_that_say_what_to_do()
    {
        await using var zk = await ZooKeeperServer.StartAsync();
        var (code, output) = await RegistryServerProcess.RunToEndAsync(
            ["--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--embedded-port", zk.Port.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(1, code);
        Assert.Contains($"port {zk.Port} on 127.0.0.1 is taken", output, StringComparison.Ordinal);
        Assert.Contains($"--zookeeper 127.0.0.1:{zk.Port}", output, StringComparison.Ordinal);

        (code, output) = await RegistryServerProcess.RunToEndAsync(
            ["--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--embedded-port", FreePorts.Next().ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string> { ["JAVA_HOME"] = "/nonexistent", ["PATH"] = Path.GetDirectoryName(Environment.ProcessPath)!, [ZooKeeperInstallation.JarEnvironmentVariable] = "/nonexistent/zookeeper.jar" });
        Assert.Equal(1, code);
        Assert.Contains("the embedded ZooKeeper needs Java and ZooKeeper 3.8", output, StringComparison.Ordinal);
        Assert.Contains(ZooKeeperInstallation.InstallHint, output, StringComparison.Ordinal);
        Assert.Contains("--zookeeper host:port", output, StringComparison.Ordinal);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
