using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

/// <summary>Nodes written by this client read correctly with python3-kazoo, and the reverse.</summary>
[Collection(ZooKeeperCollection.Name)]
public class InteropTests(ZooKeeperFixture fixture, ITestOutputHelper output) : ZooKeeperTestBase(fixture, output)
{
    private const string DebianPython = "/usr/bin/python3";

    [Fact]
    public async Task Kazoo_reads_what_this_client_wrote()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/from-dotnet", Encoding.UTF8.GetBytes("{\"name\":\"web\",\"port\":8080}"));
        await zk.CreateAsync("/from-dotnet/a", Encoding.UTF8.GetBytes("é ✓"));
        await zk.CreateAsync("/from-dotnet/b-", default, CreateMode.PersistentSequential);

        var result = await RunKazooAsync($$"""
            data, stat = zk.get("{{Root}}/from-dotnet")
            children = sorted(zk.get_children("{{Root}}/from-dotnet"))
            a, _ = zk.get("{{Root}}/from-dotnet/a")
            print(json.dumps({"data": data.decode(), "version": stat.version, "children": children, "a": a.decode("utf-8")}))
            """);

        Assert.Equal("{\"data\": \"{\\\"name\\\":\\\"web\\\",\\\"port\\\":8080}\", \"version\": 0, \"children\": [\"a\", \"b-0000000001\"], \"a\": \"\\u00e9 \\u2713\"}", result);
    }

    [Fact]
    public async Task This_client_reads_what_kazoo_wrote_including_its_ephemeral_owner()
    {
        var zk = await ConnectAsync();
        var script = $$"""
            zk.create("{{Root}}/from-kazoo", b"written by kazoo")
            zk.create("{{Root}}/from-kazoo/seq-", b"", sequence=True)
            zk.create("{{Root}}/from-kazoo/eph", b"x", ephemeral=True)
            zk.set("{{Root}}/from-kazoo", b"updated by kazoo")
            print(hex(zk.client_id[0]))
            """;
        var kazooSession = await RunKazooAsync(script, keepOpenUntilStdinCloses: true, onReady: async () =>
        {
            var data = await zk.GetDataAsync("/from-kazoo");
            Assert.Equal("updated by kazoo", Encoding.UTF8.GetString(data.Data));
            Assert.Equal(1, data.Stat.Version);
            var children = await zk.GetChildrenAsync("/from-kazoo");
            Assert.Equal(["eph", "seq-0000000000"], children.Children.Order(StringComparer.Ordinal));
            var eph = await zk.ExistsAsync("/from-kazoo/eph");
            Assert.True(eph!.IsEphemeral);
            Assert.NotEqual(zk.SessionId, eph.EphemeralOwner);
        });

        // kazoo printed its session id: the ephemeral node is owned by it, and gone when kazoo closed.
        Output.WriteLine($"kazoo session {kazooSession}");
        await EventuallyAsync(async () => await zk.ExistsAsync("/from-kazoo/eph") is null, "kazoo's ephemeral node removed on close");
    }

    /// <summary>
    /// Runs a kazoo snippet connected to the shared server; returns its last line of output. With
    /// <paramref name="keepOpenUntilStdinCloses"/>, kazoo's session stays open while <paramref name="onReady"/> runs.
    /// </summary>
    private async Task<string> RunKazooAsync(string body, bool keepOpenUntilStdinCloses = false, Func<Task>? onReady = null)
    {
        Assert.True(File.Exists(DebianPython), "python3-kazoo needs Debian's python3: apt-get install -y python3-kazoo");
        var indented = string.Join('\n', body.Split('\n').Select(l => "    " + l));
        var program = $$"""
            import json, sys
            from kazoo.client import KazooClient
            zk = KazooClient(hosts="{{Server.ConnectString}}")
            zk.start(timeout=15)
            try:
            {{indented}}
                sys.stdout.flush()
                {{(keepOpenUntilStdinCloses ? "print('READY', flush=True); sys.stdin.read()" : "pass")}}
            finally:
                zk.stop()
                zk.close()
            """;
        var start = new ProcessStartInfo(DebianPython, ["-c", program])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(Deadline);
        while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line == "READY")
            {
                await onReady!();
                process.StandardInput.Close();
                continue;
            }

            lines.Add(line);
        }

        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"kazoo failed ({process.ExitCode}): {await stderr}");
        return lines[^1];
    }
}
