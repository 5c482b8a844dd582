using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Testing;
using Registry.ZooKeeper;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// Real DNS clients against the facade serving the live view (issue 4 §4): dnspython as an application would use it,
/// and Unbound as a site resolver with a stub-zone for <c>svc.example.</c>. The server runs with <c>--dns-ttl 1</c>, so
/// a resolver's cache of dynamic records lasts a second.
/// </summary>
public sealed class RealClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private LiveServer _live = null!;

    public async Task InitializeAsync()
    {
        _live = await LiveServer.StartAsync(
            new TestZones(),
            async client =>
            {
                foreach (var service in (string[])["web", "api"])
                {
                    await client.CreateAsync($"/services/{service}", default, CreateMode.Container);
                }

                // web: ap1 is its declared target (matched by address and port), i2 is undeclared; api is wholly dynamic.
                await RegisterAsync(client, "web", "ap1", "127.0.0.1", 4070);
                await RegisterAsync(client, "web", "i2", "10.0.0.22", 4071);
                await RegisterAsync(client, "api", "a1", "10.0.1.1", 8080);
            },
            "--dns-ttl", "1");
        await _live.Server.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["ap1", "i2"]), Deadline, "web's instances are in the view");
        await _live.Server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["a1"]), Deadline, "api's instance is in the view");
    }

    public async Task DisposeAsync() => await _live.DisposeAsync();

    [Theory]
    [InlineData("udp")]
    [InlineData("tcp")]
    public async Task Dnspython_resolves_the_srv_set_an_instance_address_and_gets_nxdomain_for_a_missing_name(string transport)
    {
        var result = await RunDnspythonAsync(_live.Server.DnsPort, transport, "i2.web.svc.example.");

        Assert.Equal(["10 10 4071 i2.web.svc.example.", "10 12 4070 ap1.hosts.svc.example."], Strings(result, "srv"));
        Assert.True(result.GetProperty("srv_aa").GetBoolean());
        Assert.False(result.GetProperty("srv_ra").GetBoolean());
        Assert.Equal(1, result.GetProperty("srv_ttl").GetInt32());
        Assert.Equal(["ap1.hosts.svc.example. A 127.0.0.1", "i2.web.svc.example. A 10.0.0.22"], Strings(result, "srv_additional"));
        Assert.Equal(["10.0.0.22"], Strings(result, "a"));
        Assert.Equal("NXDOMAIN", result.GetProperty("missing").GetString());
        Assert.Equal("NXDOMAIN", result.GetProperty("missing_rcode").GetString());
        Assert.True(result.GetProperty("missing_aa").GetBoolean());
        Assert.Equal(["svc.example. SOA"], Strings(result, "missing_authority"));
    }

    [Fact]
    public async Task Unbound_with_a_stub_zone_serves_the_live_srv_set_and_follows_a_new_registration_after_the_ttl()
    {
        await using var unbound = await UnboundProcess.StartAsync(TestZones.Origin, _live.Server.DnsPort);

        var first = await DigAnswer.QueryAsync(unbound.Port, "_api._tcp.svc.example.", "SRV", false, "+rec");
        Assert.Equal("NOERROR", first.Status);
        Assert.Contains("ra", first.Flags); // a resolver's answer, not the facade's own
        Assert.Equal(["10 10 8080 a1.api.svc.example."], first.AnswerData("SRV"));
        var target = await DigAnswer.QueryAsync(unbound.Port, "a1.api.svc.example.", "A", false, "+rec");
        Assert.Equal(["10.0.1.1"], target.AnswerData("A"));

        await RegisterAsync(_live.Client, "api", "a2", "10.0.1.2", 8081);

        // Unbound keeps the old set for at most the 1 s TTL, then asks the facade again.
        var changed = Stopwatch.StartNew();
        await Poll.UntilAsync(
            async _ => (await DigAnswer.QueryAsync(unbound.Port, "_api._tcp.svc.example.", "SRV", false, "+rec")).AnswerData("SRV")
                .SequenceEqual(["10 10 8080 a1.api.svc.example.", "10 10 8081 a2.api.svc.example."]),
            Deadline,
            $"unbound answers the new SRV set; its log:\n{unbound.Output}");
        Assert.True(changed.Elapsed < TimeSpan.FromSeconds(10), $"took {changed.Elapsed}");

        var added = await DigAnswer.QueryAsync(unbound.Port, "a2.api.svc.example.", "A", false, "+rec");
        Assert.Equal(["10.0.1.2"], added.AnswerData("A"));
        var missing = await DigAnswer.QueryAsync(unbound.Port, "nothing.svc.example.", "A", false, "+rec");
        Assert.Equal("NXDOMAIN", missing.Status);
    }

    internal static async Task RegisterAsync(ZooKeeperClient client, string service, string id, string address, int port, InstanceStatus status = InstanceStatus.Up)
    {
        var instance = new ServiceInstance { Service = ServiceName.Parse(service), Id = id, Address = address, Port = port, Status = status };
        await client.CreateAsync($"/services/{service}/{id}", ServiceInstanceCodec.Encode(instance), CreateMode.Ephemeral);
    }

    private static string[] Strings(JsonElement result, string property) =>
        [.. result.GetProperty(property).EnumerateArray().Select(e => e.GetString()!)];

    private static async Task<JsonElement> RunDnspythonAsync(int port, string transport, string instance)
    {
        // Debian's python3, which has python3-dnspython; not whatever python3 comes first on PATH.
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Peers", "dnspython_client.py"), port.ToString(CultureInfo.InvariantCulture), transport, instance })
        {
            start.ArgumentList.Add(arg);
        }

        using var python = Process.Start(start)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var output = await stdout;
        Assert.True(python.ExitCode == 0, $"dnspython_client.py exited with {python.ExitCode}:\n{output}\n{await stderr}");
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
