using System.Text.Json;
using Registry.Testing;

namespace Registry.Server.Tests;

/// <summary>Zone files change under a running server: a good change is served, a bad one is rejected with file:line and the last good zones keep serving.</summary>
public sealed class ZoneReloadTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly TestZones _zones = new();
    private ZooKeeperServer _zk = null!;
    private RegistryServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _zk = await ZooKeeperServer.StartAsync();
        _server = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory]);
        await _server.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _zk.DisposeAsync();
        _zones.Dispose();
    }

    [Fact]
    public async Task A_good_change_is_served_and_a_bad_one_is_rejected_with_file_and_line_keeping_the_last_good_zones()
    {
        Assert.Equal(["ap1.hosts.svc.example.", "ap2.hosts.svc.example."], (await _server.GetServiceAsync("web")).Answer);
        var serialBefore = await SerialAsync();

        _zones.Write("_web._tcp IN SRV 10 12 4070 ap3.hosts\nap3.hosts IN A 10.0.0.3", serial: 2);
        await _server.UntilServiceAsync("web", v => v.Answer.Contains("ap3.hosts.svc.example."), Deadline, "the new target is served");
        Assert.True(await SerialAsync() > serialBefore);

        // Line 12 is the broken record: the zone file's own line numbers, not the reloader's.
        _zones.Write("_web._tcp IN SRV 10 12 notaport ap4.hosts", serial: 3);
        await Poll.UntilAsync(async _ => ZoneErrors(await _server.GetJsonAsync("/v1/services")).Count > 0, Deadline, $"the reload is rejected; output:\n{_server.Output}");
        var errors = ZoneErrors(await _server.GetJsonAsync("/v1/services"));
        Assert.Contains(errors, e => e.StartsWith("svc.example.zone:12: ", StringComparison.Ordinal));

        // The log line is written beside the view's update, not before it: wait for it rather than race it.
        await Poll.UntilAsync(
            () => _server.Output.Contains("zone reload rejected", StringComparison.Ordinal) && _server.Output.Contains("svc.example.zone:12: ", StringComparison.Ordinal),
            Deadline,
            "the rejection and its file:line are logged");

        // The last good zones keep serving, unchanged.
        var web = await _server.GetServiceAsync("web");
        Assert.Equal(["ap1.hosts.svc.example.", "ap2.hosts.svc.example.", "ap3.hosts.svc.example."], web.Answer);

        // A fix is picked up and clears the error.
        _zones.Write("_web._tcp IN SRV 10 12 4070 ap4.hosts\nap4.hosts IN A 10.0.0.4", serial: 4);
        await _server.UntilServiceAsync("web", v => v.Answer.Contains("ap4.hosts.svc.example.") && !v.Answer.Contains("ap3.hosts.svc.example."), Deadline, "the fixed zone is served");
        Assert.Empty(ZoneErrors(await _server.GetJsonAsync("/v1/services")));
    }

    [Fact]
    public async Task SIGHUP_reloads_the_zones()
    {
        await _server.SignalAsync("HUP");
        await Poll.UntilAsync(() => _server.Output.Contains("zones reloaded (SIGHUP)", StringComparison.Ordinal), Deadline, $"SIGHUP reloads; output:\n{_server.Output}");
        Assert.False(_server.HasExited); // SIGHUP must not terminate the server, as it would by default
        Assert.Equal(["ap1.hosts.svc.example.", "ap2.hosts.svc.example."], (await _server.GetServiceAsync("web")).Answer);
    }

    private async Task<uint> SerialAsync() =>
        (await _server.GetJsonAsync("/v1/services")).GetProperty("view").GetProperty("zones")[0].GetProperty("serial").GetUInt32();

    private static List<string> ZoneErrors(JsonElement services) =>
        [.. services.GetProperty("view").GetProperty("zoneReload").GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)];
}
