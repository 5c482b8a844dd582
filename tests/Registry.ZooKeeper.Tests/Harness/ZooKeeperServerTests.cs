using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Registry.Server.Embedded;
using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.ZooKeeper.Tests.Harness;

public sealed class ZooKeeperServerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartAsync_starts_a_standalone_server_that_answers_imok()
    {
        await using var server = await ZooKeeperServer.StartAsync();

        Assert.True(server.IsRunning);
        Assert.Equal($"127.0.0.1:{server.Port}", server.ConnectString);
        Assert.Equal(server.Port, server.EndPoint.Port);
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));
        Assert.Equal("standalone", await server.GetModeAsync());

        var conf = await server.SendFourLetterWordAsync("conf");
        Assert.Contains("tickTime=500", conf);
        Assert.Contains("minSessionTimeout=1000", conf);
        Assert.Contains("maxSessionTimeout=60000", conf);
    }

    [Fact]
    public async Task Kill_then_StartAgain_comes_back_on_the_same_port_with_its_data_and_sessions()
    {
        await using var server = await ZooKeeperServer.StartAsync(ProcessOptions());
        var sessionId = await RawSession.CreateAsync(server.EndPoint, sessionTimeoutMs: 30_000);
        var zxidBefore = ParseZxid(await server.SendFourLetterWordAsync("srvr"));
        var port = server.Port;
        var pid = server.ProcessId;

        await server.KillAsync();

        Assert.False(server.IsRunning);
        Assert.Equal(137, server.ExitCode);
        await Assert.ThrowsAsync<SocketException>(() => server.SendFourLetterWordAsync("ruok"));

        await server.StartAgainAsync();

        Assert.True(server.IsRunning);
        Assert.NotEqual(pid, server.ProcessId);
        Assert.Equal(port, server.Port);
        Assert.Equal("imok", await server.SendFourLetterWordAsync("ruok"));
        // The session was only in the transaction log on disk, so seeing it again proves the data directory was kept.
        Assert.Contains($"0x{sessionId:x}", await server.SendFourLetterWordAsync("dump"));
        Assert.True(ParseZxid(await server.SendFourLetterWordAsync("srvr")) >= zxidBefore);
    }

    [Fact]
    public async Task StopAsync_stops_gracefully_and_the_server_can_start_again()
    {
        await using var server = await ZooKeeperServer.StartAsync(ProcessOptions());
        using var process = Process.GetProcessById(server.ProcessId!.Value);

        await server.StopAsync();

        Assert.False(server.IsRunning);
        Assert.True(process.HasExited);
        // 143 = 128 + SIGTERM: the JVM ran its shutdown rather than being killed.
        Assert.Equal(143, server.ExitCode);
        await Assert.ThrowsAsync<SocketException>(() => server.SendFourLetterWordAsync("ruok"));

        await server.StartAgainAsync();
        Assert.Equal("standalone", await server.GetModeAsync());
    }

    [Fact]
    public async Task DisposeAsync_kills_the_process_and_deletes_its_directory()
    {
        var server = await ZooKeeperServer.StartAsync(ProcessOptions());
        var directory = server.RootDirectory!;
        var pid = server.ProcessId!.Value;
        Assert.True(File.Exists(Path.Combine(directory, "zoo.cfg")));
        Assert.True(Directory.Exists(server.DataDirectory));

        await server.DisposeAsync();

        Assert.False(Directory.Exists(directory));
        Assert.False(IsProcessAlive(pid));
        await Assert.ThrowsAsync<SocketException>(() => FourLetterWord.SendAsync(server.EndPoint, "ruok"));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Options_reach_zoo_cfg_and_the_jvm_command_line()
    {
        var options = ProcessOptions();
        options.TickTime = 250;
        options.ExtraConfig["maxClientCnxns"] = "7";
        options.SystemProperties["registry.test.marker"] = "42";
        options.JvmOptions = ["-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"];

        await using var server = await ZooKeeperServer.StartAsync(options);

        var conf = await server.SendFourLetterWordAsync("conf");
        Assert.Contains("tickTime=250", conf);
        Assert.Contains("maxClientCnxns=7", conf);
        var commandLine = (await File.ReadAllTextAsync($"/proc/{server.ProcessId}/cmdline")).Split('\0');
        Assert.Contains("-Dregistry.test.marker=42", commandLine);
        Assert.Contains("-Dzookeeper.extendedTypesEnabled=true", commandLine);
        Assert.Contains("-Xmx128m", commandLine);
        Assert.DoesNotContain("-Xmx256m", commandLine);
    }

    [Fact]
    public async Task StartAsync_reports_the_log_tail_when_the_server_cannot_start()
    {
        var options = ProcessOptions();
        options.ExtraConfig["tickTime"] = "not-a-number";

        var error = await Assert.ThrowsAsync<ZooKeeperStartException>(() => ZooKeeperServer.StartAsync(options));

        Assert.Contains("exited with code", error.Message);
        Assert.Contains("last lines of its log", error.Message);
        Assert.Contains("not-a-number", error.Message);
        // The message names the log file; the failed server's directory is cleaned up all the same.
        var logFile = Regex.Match(error.Message, @"\((/\S+/zookeeper\.log)\)").Groups[1].Value;
        Assert.NotEmpty(logFile);
        Assert.False(Directory.Exists(Path.GetDirectoryName(logFile)));
    }

    [Fact]
    public async Task A_server_that_lost_the_race_for_its_port_fails_as_a_port_conflict()
    {
        var options = ProcessOptions();
        await using var winner = await ZooKeeperServer.StartAsync(options);
        var installation = ZooKeeperInstallation.TryFind(out var problem) ?? throw new InvalidOperationException(problem);
        var host = new LocalServerHost(
            ProcessJanitor.CreateDirectory("standalone"),
            winner.Port,
            [],
            myId: null,
            LocalServerHost.StandaloneMain,
            options,
            installation);
        await using var loser = new ZooKeeperServer(host, options);

        await loser.LaunchAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<ZooKeeperStartException>(
            () => loser.WaitUntilReadyAsync(requireServing: true, Timeout, CancellationToken.None));

        // Whether the loser's JVM died on the bind or the winner answered first, StartAsync would retry on a fresh port.
        Assert.True(error.IsPortConflict, error.Message);
        Assert.Equal("standalone", await winner.GetModeAsync());
    }

    internal static ZooKeeperServerOptions ProcessOptions() => new() { Backend = ZooKeeperBackend.Process, StartTimeout = Timeout };

    internal static bool IsProcessAlive(int pid)
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

    private static long ParseZxid(string srvr)
    {
        var line = srvr.Split('\n').Single(l => l.StartsWith("Zxid:", StringComparison.Ordinal));
        return long.Parse(line["Zxid: 0x".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
