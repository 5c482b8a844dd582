using System.Diagnostics;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Cli.Tests;

/// <summary>registryctl as a user runs it: a separate process against a real ZooKeeper.</summary>
public sealed class RegistryctlTests : IAsyncLifetime
{
    private ZooKeeperServer _server = null!;

    public async Task InitializeAsync() => _server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Create_get_stat_ls_and_delete_round_trip()
    {
        Assert.Equal((0, "/app\n"), await RunAsync("zk", "create", "/app", "hello"));
        Assert.Equal((0, "/app/x\n"), await RunAsync("zk", "create", "/app/x"));
        Assert.Equal((0, "hello\n"), await RunAsync("zk", "get", "/app"));
        Assert.Equal((0, "x\n"), await RunAsync("zk", "ls", "/app"));
        Assert.Equal((0, "/app\n/app/x\n/zookeeper\n/zookeeper/config\n/zookeeper/quota\n"), await RunAsync("zk", "ls", "/", "--recursive"));

        var (code, stat) = await RunAsync("zk", "stat", "/app");
        Assert.Equal(0, code);
        Assert.Contains("version=0", stat, StringComparison.Ordinal);
        Assert.Contains("numChildren=1", stat, StringComparison.Ordinal);
        Assert.Contains("ephemeralOwner=0x0", stat, StringComparison.Ordinal);

        Assert.Equal((0, ""), await RunAsync("zk", "delete", "/app/x"));
        await using var zk = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        Assert.Null(await zk.ExistsAsync("/app/x"));
    }

    [Fact]
    public async Task Errors_are_one_line_on_stderr_with_exit_code_1()
    {
        var (code, output) = await RunAsync("zk", "get", "/missing");
        Assert.Equal(1, code);
        Assert.Equal("registryctl: NoNode for /missing\n", output);

        (code, output) = await RunAsync("zk", "create", "relative");
        Assert.Equal(1, code);
        Assert.StartsWith("registryctl: invalid path 'relative': it must start with '/'", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("zk", "ls", "/", "--session-timeout", "soon");
        Assert.NotEqual(0, code);
        Assert.Contains("'soon' is not a positive duration", output, StringComparison.Ordinal);

        (code, output) = await RunAsync("zk", "delete", "/zookeeper", "--version", "7");
        Assert.Equal(1, code);
        Assert.StartsWith("registryctl: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ephemeral_node_lives_as_long_as_the_command()
    {
        Assert.Equal((0, "/eph\n"), await RunAsync("zk", "create", "/eph", "-e"));
        await using var zk = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
        Assert.Null(await zk.ExistsAsync("/eph"));
    }

    [Fact]
    public async Task The_demo_shows_instances_appear_change_and_vanish()
    {
        var (code, output) = await RunAsync("zk", "demo");
        Assert.True(code == 0, output);
        Assert.Equal(3, CountOf(output, "watch: NodeCreated"));
        Assert.Equal(1, CountOf(output, "watch: NodeDataChanged"));
        Assert.Equal(3, CountOf(output, "watch: NodeDeleted"));
        Assert.DoesNotContain("None", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_ensemble_fails_with_a_clear_message()
    {
        var (code, output) = await RunAsync("zk", "ls", "/", "-z", "127.0.0.1:1", "--session-timeout", "2s");
        Assert.Equal(1, code);
        Assert.Contains("no server of '127.0.0.1:1' accepted a session", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credential_file_opens_what_its_acl_locks_and_a_bad_one_is_one_line()
    {
        await using var owner = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = _server.ConnectString, Credentials = [AuthInfo.Digest("svc-web", "hunter2")] });
        await owner.CreateAsync("/locked", "secret"u8.ToArray(), acl: [Acl.Digest(Permissions.All, "svc-web", "hunter2")]);
        var file = Path.Combine(Path.GetTempPath(), $"registryctl-auth-{Guid.NewGuid():N}");
        try
        {
            Assert.Equal((1, "registryctl: NoAuth for /locked\n"), await RunAsync("zk", "get", "/locked"));

            await File.WriteAllTextAsync(file, "digest:svc-web:hunter2\n");
            Assert.Equal((0, "secret\n"), await RunAsync("zk", "get", "/locked", "--zookeeper-auth-file", file));
            Assert.Equal((0, "/locked/child\n"), await RunAsync("zk", "create", "/locked/child", "--zookeeper-auth-file", file));

            await File.WriteAllTextAsync(file, "digest:hunter2\n");
            var (code, output) = await RunAsync("zk", "get", "/locked", "--zookeeper-auth-file", file);
            Assert.Equal(1, code);
            Assert.Equal($"registryctl: --zookeeper-auth-file: the credential in {file}: a digest credential is user:password (like digest:registry:s3cret)\n", output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Help_lists_every_zk_command_and_option()
    {
        var (code, output) = await RunAsync("zk", "--help");
        Assert.Equal(0, code);
        foreach (var word in new[] { "ls", "get", "stat", "create", "delete", "watch", "demo", "--zookeeper", "--zookeeper-auth-file", "--session-timeout", "--verbose" })
        {
            Assert.Contains(word, output, StringComparison.Ordinal);
        }
    }

    private static int CountOf(string text, string what) => text.Split(what).Length - 1;

    /// <summary>Runs registryctl with the server's connect string; returns the exit code and stdout+stderr.</summary>
    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "registryctl.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["REGISTRY_ZOOKEEPER"] = _server.ConnectString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
