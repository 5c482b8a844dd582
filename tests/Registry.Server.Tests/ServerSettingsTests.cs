using Microsoft.Extensions.Configuration;
using Registry.Server.Configuration;

namespace Registry.Server.Tests;

/// <summary>How the server takes its settings, and how it refuses bad ones: as a process, with no ZooKeeper needed.</summary>
public sealed class ServerSettingsTests : IDisposable
{
    private readonly TestZones _zones = new();

    public void Dispose() => _zones.Dispose();

    [Fact]
    public async Task Help_lists_every_option_with_its_environment_variable_and_default()
    {
        var (code, output) = await RegistryServerProcess.RunToEndAsync(["--help"]);

        Assert.Equal(0, code);
        foreach (var setting in Settings.All)
        {
            Assert.Contains(setting.Option, output, StringComparison.Ordinal);
            Assert.Contains(setting.EnvironmentVariable, output, StringComparison.Ordinal);
        }

        Assert.Contains("--config", output, StringComparison.Ordinal);
        Assert.Contains("[default: embedded]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void The_README_option_table_has_a_row_for_every_setting_with_its_environment_variable()
    {
        // The table is written by hand; this keeps it from losing an option the way --help cannot.
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Registry.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        var rows = File.ReadLines(Path.Combine(directory.FullName, "README.md")).Where(l => l.StartsWith("| `--", StringComparison.Ordinal)).ToList();
        foreach (var setting in Settings.All)
        {
            var row = rows.FirstOrDefault(r => r.StartsWith($"| `{setting.Option}`", StringComparison.Ordinal));
            Assert.True(row is not null, $"README.md has no option row for {setting.Option}");
            Assert.Contains($"`{setting.EnvironmentVariable}`", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_bad_setting_is_reported_at_once_naming_all_three_sources()
    {
        var (code, output) = await RegistryServerProcess.RunToEndAsync(
            ["--session-timeout", "soon", "--undeclared", "maybe", "--panic-threshold", "2", "--base-path", "services/"],
            new Dictionary<string, string> { ["REGISTRY_LISTEN"] = "ftp://127.0.0.1:1" });

        Assert.Equal(2, code);
        Assert.Contains("--session-timeout / REGISTRY_SESSION_TIMEOUT / Registry:SessionTimeout: 'soon' is not a duration", output, StringComparison.Ordinal);
        Assert.Contains("'maybe' is not accept or reject", output, StringComparison.Ordinal);
        Assert.Contains("'2' is not a number from 0 to 1", output, StringComparison.Ordinal);
        Assert.Contains("'services/' is not an absolute ZooKeeper path", output, StringComparison.Ordinal);
        Assert.Contains("'ftp://127.0.0.1:1' is not an http:// or https:// address", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_zone_file_stops_the_start_with_file_and_line()
    {
        _zones.Write("www IN CNAME", serial: 1);
        var (code, output) = await RegistryServerProcess.RunToEndAsync(["--zookeeper", "127.0.0.1:1", "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory]);

        Assert.Equal(1, code);
        Assert.Contains("svc.example.zone:12: ", output, StringComparison.Ordinal);
        Assert.Contains("fix them and start again", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_token_file_stops_the_start_with_file_and_line_and_never_echoes_a_token()
    {
        var tokens = Path.Combine(_zones.Root, "tokens");
        await File.WriteAllTextAsync(tokens, $"# write tokens\n{Grpc.TokenFileTests.Line("good")} web\nplain-token-by-mistake web\n");
        var (code, output) = await RegistryServerProcess.RunToEndAsync(["--zookeeper", "127.0.0.1:1", "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--auth-tokens", tokens]);

        Assert.Equal(1, code);
        Assert.Contains($"{tokens}:3: the line does not start with sha256:", output, StringComparison.Ordinal);
        Assert.Contains("(--auth-tokens) has 1 error(s); fix them and start again", output, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-token-by-mistake", output, StringComparison.Ordinal);

        (code, output) = await RegistryServerProcess.RunToEndAsync(["--zookeeper", "127.0.0.1:1", "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--auth-tokens", tokens + ".missing"]);
        Assert.Equal(1, code);
        Assert.Contains($"{tokens}.missing: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_writes_on_a_gRPC_port_beyond_loopback_are_warned_about_once()
    {
        await using var server = RegistryServerProcess.Start(
            ["--zookeeper", "127.0.0.1:1", "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--grpc-listen", $"http://0.0.0.0:{Registry.Testing.Internal.FreePorts.Next()}"]);
        await server.WaitServingAsync();

        var warning = "gRPC writes are open: anyone reaching http://0.0.0.0:";
        Assert.Contains(warning, server.Output, StringComparison.Ordinal);
        Assert.Equal(server.Output.IndexOf(warning, StringComparison.Ordinal), server.Output.LastIndexOf(warning, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_zones_directory_and_an_ambiguous_default_zone_are_explained()
    {
        var (code, output) = await RegistryServerProcess.RunToEndAsync(["--zookeeper", "127.0.0.1:1", "--zones", Path.Combine(_zones.Root, "nope"), "--data-dir", _zones.DataDirectory]);
        Assert.Equal(1, code);
        Assert.Contains("does not exist", output, StringComparison.Ordinal);
        Assert.Contains("--zones", output, StringComparison.Ordinal);

        var empty = Directory.CreateDirectory(Path.Combine(_zones.Root, "empty")).FullName;
        (code, output) = await RegistryServerProcess.RunToEndAsync(["--zookeeper", "127.0.0.1:1", "--zones", empty, "--data-dir", _zones.DataDirectory]);
        Assert.Equal(1, code);
        Assert.Contains("no forward zone files (*.zone)", output, StringComparison.Ordinal);
        Assert.Contains("--default-zone", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_taken_http_port_stops_the_start_with_one_line_naming_the_option()
    {
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        // The other listeners on free ports of their own (DNS off), so that only the squatted one can be taken.
        var (code, output) = await RegistryServerProcess.RunToEndAsync(
            ["--zookeeper", "127.0.0.1:1", "--zones", _zones.Directory, "--data-dir", _zones.DataDirectory, "--grpc-listen", $"http://127.0.0.1:{Registry.Testing.Internal.FreePorts.Next()}", "--dns-listen", "none"],
            new Dictionary<string, string> { ["REGISTRY_LISTEN"] = $"http://127.0.0.1:{port}" });

        Assert.True(code == 1, $"exit code {code}, output:\n{output}");
        Assert.Contains("address already in use. (choose other addresses with --listen and --grpc-listen)", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // one line, no stack trace
    }

    [Fact]
    public async Task Settings_come_from_a_config_file_and_the_environment_with_the_command_line_winning()
    {
        var config = Path.Combine(_zones.Root, "settings.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Registry": { "Zones": "{{_zones.Directory}}", "DataDir": "{{_zones.DataDirectory}}", "ZooKeeper": "127.0.0.1:1", "BasePath": "/from-file" } }
            """);
        await using var server = RegistryServerProcess.Start(
            ["--config", config, "--base-path", "/from-command-line"],
            new Dictionary<string, string> { ["REGISTRY_DEFAULT_ZONE"] = "svc.example", ["REGISTRY_BASE_PATH"] = "/from-env" });

        // ZooKeeper at 127.0.0.1:1 never answers, and the server serves the zone files regardless.
        await server.WaitServingAsync();
        var services = await server.GetJsonAsync("/v1/services");
        Assert.Equal("svc.example.", services.GetProperty("view").GetProperty("defaultZone").GetString());
        Assert.True(services.GetProperty("view").GetProperty("stale").GetBoolean());
        Assert.Contains("base path /from-command-line", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("gRPC writes are open", server.Output, StringComparison.Ordinal); // gRPC on loopback only
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("10s", 10_000)]
    [InlineData("1500ms", 1_500)]
    [InlineData("2m", 120_000)]
    [InlineData("0.5s", 500)]
    public void Durations_take_units(string text, int milliseconds)
    {
        Assert.True(ServerOptionsReader.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("ten")]
    [InlineData("NaNs")]
    public void Bad_durations_are_refused(string text) => Assert.False(ServerOptionsReader.TryParseDuration(text, out _));

    [Fact]
    public void Transfer_settings_are_validated_together_and_no_error_repeats_a_secret()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:DnsTsigKey"] = "good:hmac-sha256:c2VjcmV0,bad:hmac-md4:c2VjcmV0,nobase:hmac-sha1:!!notbase64!!",
            ["Registry:DnsTransferAllow"] = "10.0.0.0/8,key:good,key:missing",
            ["Registry:DnsNotify"] = "127.0.0.1:53@missing,not-an-endpoint",
            ["Registry:DnsNotifyInterval"] = "soon",
        }).Build();

        Assert.Null(ServerOptionsReader.Read(configuration, out var errors));

        Assert.Contains(errors, e => e.Contains("hmac-md4", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("key nobase", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("key:missing.", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("@missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("not-an-endpoint", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("soon", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("c2VjcmV0", StringComparison.Ordinal) || e.Contains("notbase64", StringComparison.Ordinal));
    }

    [Fact]
    public void Transfer_settings_parse()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:DnsTsigKey"] = "xfer:hmac-sha512:c2VjcmV0",
            ["Registry:DnsTransferAllow"] = "192.0.2.7, 10.0.0.0/8, key:xfer",
            ["Registry:DnsNotify"] = "192.0.2.7:53, [::1]:5353@xfer",
            ["Registry:DnsNotifyInterval"] = "500ms",
        }).Build();

        var options = ServerOptionsReader.Read(configuration, out var errors);

        Assert.Empty(errors);
        Assert.Equal("xfer.", Assert.Single(options!.TsigKeys).Name.ToString());
        Assert.Equal(2, options.TransferAllow.Networks.Count);
        Assert.Equal(["192.0.2.7:53", "[::1]:5353@xfer."], options.Notify.Select(n => n.ToString()));
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.NotifyInterval);
    }

    [Fact]
    public void The_zookeeper_credential_comes_from_a_file()
    {
        var file = Path.Combine(_zones.Root, "zk-auth");
        File.WriteAllText(file, "digest:registry:hunter2\n");

        var options = ServerOptionsReader.Read(Configuration(("Registry:ZooKeeperAuthFile", file)), out var errors);

        Assert.Empty(errors);
        Assert.Equal(file, options!.ZooKeeperAuthFile);
        var credential = Assert.Single(options.ZooKeeperCredentials);
        Assert.Equal("digest:registry", credential.ToString());
        Assert.Equal("registry:hunter2", System.Text.Encoding.UTF8.GetString(credential.Auth.Span));
        Assert.Empty(ServerOptionsReader.Read(Configuration(), out _)!.ZooKeeperCredentials);
    }

    [Theory]
    [InlineData(null, "cannot read the credential file")]
    [InlineData("digest:hunter2", "a digest credential is user:password")]
    [InlineData("digest:registry:hunter2\ndigest:other:hunter2", "must hold one line")]
    public void A_bad_zookeeper_credential_file_is_a_settings_error_that_never_shows_the_secret(string? content, string reason)
    {
        var file = Path.Combine(_zones.Root, "zk-auth");
        if (content is not null)
        {
            File.WriteAllText(file, content);
        }

        Assert.Null(ServerOptionsReader.Read(Configuration(("Registry:ZooKeeperAuthFile", file)), out var errors));

        var error = Assert.Single(errors);
        Assert.StartsWith("--zookeeper-auth-file / REGISTRY_ZOOKEEPER_AUTH_FILE / Registry:ZooKeeperAuthFile: ", error, StringComparison.Ordinal);
        Assert.Contains(file, error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variables_follow_the_options() =>
        Assert.Equal(
            ["REGISTRY_ZOOKEEPER", "REGISTRY_ZOOKEEPER_AUTH_FILE", "REGISTRY_EMBEDDED_PORT", "REGISTRY_ZONES", "REGISTRY_DEFAULT_ZONE", "REGISTRY_BASE_PATH", "REGISTRY_LISTEN", "REGISTRY_GRPC_LISTEN", "REGISTRY_WATCH_HEARTBEAT", "REGISTRY_WATCH_HISTORY", "REGISTRY_WATCH_BUFFER", "REGISTRY_LEASE_TIMEOUT", "REGISTRY_AUTH_TOKENS",
             "REGISTRY_DNS_LISTEN", "REGISTRY_DNS_TTL", "REGISTRY_DNS_TCP_IDLE_TIMEOUT", "REGISTRY_DNS_TCP_MAX_CONNECTIONS", "REGISTRY_DNS_TRANSFER_ALLOW", "REGISTRY_DNS_TSIG_KEY", "REGISTRY_DNS_NOTIFY", "REGISTRY_DNS_NOTIFY_INTERVAL", "REGISTRY_DATA_DIR", "REGISTRY_SESSION_TIMEOUT", "REGISTRY_UNDECLARED", "REGISTRY_PANIC_THRESHOLD", "REGISTRY_LOG_FORMAT", "REGISTRY_LOG_LEVEL"],
            Settings.All.Select(s => s.EnvironmentVariable));

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
