using System.Diagnostics;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Cli.Tests;

/// <summary>A registrant as a real process: how its registration ends when it stops, and when it is killed.</summary>
public sealed class RegisterCommandTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ZooKeeperServer _server = null!;
    private ZooKeeperClient _observer = null!;

    public async Task InitializeAsync()
    {
        _server = await ZooKeeperServer.StartAsync();
        _observer = await ZooKeeperClient.ConnectAsync(_server.ConnectString);
    }

    public async Task DisposeAsync()
    {
        await _observer.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_graceful_stop_deregisters_at_once()
    {
        using var registrant = StartRegistrant("web", "g1", "--session-timeout", "30s");
        var stat = await WaitForNodeAsync("/services/web/g1");
        Assert.True(stat.IsEphemeral);

        // SIGTERM, as systemd or Kubernetes stop a service.
        using (var kill = Process.Start("kill", ["-TERM", registrant.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await registrant.WaitForExitAsync().WaitAsync(Deadline);
        Assert.Equal(0, registrant.ExitCode);

        // Gone at once, not after the 30 s session timeout.
        Assert.Null(await _observer.ExistsAsync("/services/web/g1"));
    }

    [Fact]
    public async Task A_killed_registrant_is_gone_after_its_session_timeout()
    {
        using var registrant = StartRegistrant("web", "k1", "--session-timeout", "2s");
        var stat = await WaitForNodeAsync("/services/web/k1");

        registrant.Kill(); // SIGKILL: no chance to deregister, as in a crash
        await registrant.WaitForExitAsync();

        // Still there: ZooKeeper keeps an ephemeral node until its session expires...
        Assert.Equal(stat.EphemeralOwner, (await _observer.ExistsAsync("/services/web/k1"))?.EphemeralOwner);

        // ...which happens once the session timeout has passed without a ping.
        var killedAt = Stopwatch.StartNew();
        var watcher = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (await _observer.ExistsAsync("/services/web/k1", Watcher.Create(e => watcher.TrySetResult())) is not null)
        {
            await watcher.Task.WaitAsync(Deadline);
        }

        Assert.Null(await _observer.ExistsAsync("/services/web/k1"));
        Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(10), $"took {killedAt.Elapsed}");
    }

    [Fact]
    public async Task The_service_credential_registers_under_its_locked_node_and_nothing_else_does()
    {
        await using var owner = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = _server.ConnectString, Credentials = [AuthInfo.Digest("svc-web", "hunter2")] });
        await owner.CreateAsync("/services", default);
        await owner.CreateAsync("/services/web", default, acl: [Acl.Digest(Permissions.All, "svc-web", "hunter2"), new Acl(Permissions.Read, "world", "anyone")]);
        var file = Path.Combine(Path.GetTempPath(), $"registryctl-auth-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(file, "digest:svc-web:hunter2\n");
        try
        {
            var (code, output) = await RunToEndAsync("register", "web", "--id", "n1", "--port", "80", "-z", _server.ConnectString);
            Assert.Equal(1, code);
            Assert.Contains("registryctl: NoAuth for /services/web/n1", output, StringComparison.Ordinal);

            using var registrant = StartRegistrant("web", "a1", "--zookeeper-auth-file", file);
            Assert.True((await WaitForNodeAsync("/services/web/a1")).IsEphemeral);
            registrant.Kill();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Bad_arguments_and_an_unreachable_ensemble_fail_with_one_line()
    {
        var (code, output) = await RunToEndAsync("register", "web", "--id", "bad_id", "--port", "80", "-z", _server.ConnectString);
        Assert.Equal(2, code);
        Assert.Contains("--id 'bad_id': character '_' at position 3", output, StringComparison.Ordinal);

        (code, output) = await RunToEndAsync("register", "web", "--port", "70000", "-z", _server.ConnectString);
        Assert.Equal(2, code);
        Assert.Contains("--port 70000 is outside 1..65535", output, StringComparison.Ordinal);

        (code, output) = await RunToEndAsync("register", "web", "--port", "80", "-z", _server.ConnectString, "--zookeeper-auth-file", "/nonexistent/zk-auth");
        Assert.Equal(2, code);
        Assert.Contains("registryctl: --zookeeper-auth-file: cannot read the credential file /nonexistent/zk-auth", output, StringComparison.Ordinal);

        (code, output) = await RunToEndAsync("register", "web", "--port", "80", "-z", "127.0.0.1:1");
        Assert.Equal(1, code);
        Assert.Contains("no server of '127.0.0.1:1' accepted a session", output, StringComparison.Ordinal);
    }

    private Process StartRegistrant(string service, string id, params string[] extra)
    {
        var start = Start(["register", service, "--id", id, "--address", "10.0.0.1", "--port", "8080", "-z", _server.ConnectString, .. extra]);
        return Process.Start(start)!;
    }

    private async Task<Stat> WaitForNodeAsync(string path)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            if (await _observer.ExistsAsync(path) is { } stat)
            {
                return stat;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} never appeared");
            await Task.Delay(50);
        }
    }

    private static async Task<(int Code, string Output)> RunToEndAsync(params string[] args)
    {
        using var process = Process.Start(Start(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout + await stderr);
    }

    private static ProcessStartInfo Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "registryctl.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return start;
    }
}
