using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Registry.Testing;
using Registry.ZooKeeper;
using V1 = Registry.V1;

namespace Registry.Server.Tests;

/// <summary>
/// DESIGN §8 end to end: a service node locked to its own digest credential (kazoo, an independent client, writes it),
/// read by the server with <c>--zookeeper-auth-file</c>, skipped without it; gRPC leases under a node that does not
/// grant the server CREATE are refused with PERMISSION_DENIED.
/// </summary>
public sealed class ZooKeeperAclTests : IAsyncLifetime
{
    private const string DebianPython = "/usr/bin/python3";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<TestZones> _zones = [];
    private ZooKeeperServer _zk = null!;

    public async Task InitializeAsync() => _zk = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _zk.DisposeAsync();
        foreach (var zones in _zones)
        {
            zones.Dispose();
        }
    }

    [Fact]
    public async Task A_locked_service_is_served_with_the_registry_credential_and_skipped_once_and_counted_without_it()
    {
        // The web service locks its node to itself and grants the registry READ; world:anyone is not in the ACL.
        await RunKazooAsync($$"""
            acl = [ACL(Permissions.ALL, Id("digest", digest("svc-web", "web-pw"))), ACL(Permissions.READ, Id("digest", digest("registry", "registry-pw")))]
            zk.add_auth("digest", "svc-web:web-pw")
            zk.ensure_path("/services")
            zk.create("/services/web", b"", acl=acl)
            zk.create("/services/web/k1", b'{{Curator("web", "k1", "127.0.0.1", 4070)}}', acl=acl)
            """);
        await using var open = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        await open.CreateAsync("/services/api", default);
        await open.CreateAsync("/services/api/a1", Encoding.UTF8.GetBytes(Curator("api", "a1", "10.0.0.1", 80)));

        await using (var blind = await StartServerAsync())
        {
            await blind.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["a1"]), Deadline, "the open service is served");

            // Later changes are followed as before, and the locked service is not logged again.
            await open.CreateAsync("/services/api/a2", Encoding.UTF8.GetBytes(Curator("api", "a2", "10.0.0.2", 80)));
            await blind.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["a1", "a2"]), Deadline, "a2 is served");

            var web = await blind.GetServiceAsync("web");
            Assert.Equal("static", web.Service.GetProperty("mode").GetString()); // the zone file's intent, unmerged
            Assert.Empty(web.Registered);
            var all = await blind.GetJsonAsync("/v1/services");
            Assert.Equal(1, all.GetProperty("view").GetProperty("counts").GetProperty("skippedRegistrations").GetInt64());
            Assert.Equal(1, Occurrences(blind.Output, "Skipping /services/web: ZooKeeper refuses this session READ on it (NoAuth; session credential: none)"));
        }

        var authFile = WriteAuthFile("digest:registry:registry-pw", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var reader = await StartServerAsync("--zookeeper-auth-file", authFile);
        await reader.UntilServiceAsync("web", v => v.Registered.SequenceEqual(["k1"]), Deadline, "the locked service is served with the registry's credential");
        Assert.Equal("live", (await reader.GetServiceAsync("web")).StateOf("ap1.hosts.svc.example."));
        Assert.Equal(["a1", "a2"], (await reader.GetServiceAsync("api")).Registered);
        Assert.Contains($"ZooKeeper sessions present the credential digest:registry (from {authFile})", reader.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("registry-pw", reader.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[2109]", reader.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("readable by every user", reader.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lease_under_a_node_that_does_not_grant_the_server_create_is_refused_with_permission_denied()
    {
        await using var owner = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions { ConnectString = _zk.ConnectString, Credentials = [AuthInfo.Digest("svc-web", "web-pw")] });
        await owner.CreateAsync("/services", default);
        await owner.CreateAsync("/services/web", default, acl: [new(Permissions.All, "digest", Digest("svc-web", "web-pw")), new(Permissions.Read, "digest", Digest("registry", "registry-pw"))]);
        await owner.CreateAsync("/services/api", default, acl: [new(Permissions.All, "digest", Digest("svc-web", "web-pw")), new(Permissions.Read | Permissions.Create | Permissions.Delete, "digest", Digest("registry", "registry-pw"))]);

        // Readable by everyone (0644): served all the same, with a warning.
        var authFile = WriteAuthFile("digest:registry:registry-pw", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        await using var server = await StartServerAsync("--zookeeper-auth-file", authFile);
        Assert.Contains($"the ZooKeeper credential file {authFile} is readable by every user", server.Output, StringComparison.Ordinal);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new V1.Registry.RegistryClient(channel);

        using (var refused = client.Register())
        {
            await refused.RequestStream.WriteAsync(Request("web", "l1"));
            var denied = await Assert.ThrowsAsync<RpcException>(() => refused.ResponseStream.MoveNext());
            Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
            Assert.Contains("service 'web'", denied.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("the credential digest:registry", denied.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("lacks CREATE on /services/web", denied.Status.Detail, StringComparison.Ordinal);
        }

        // The lease session presents the credential too: where the ACL grants it CREATE, the lease is held and served.
        using var leased = client.Register();
        await leased.RequestStream.WriteAsync(Request("api", "l2"));
        Assert.True(await leased.ResponseStream.MoveNext());
        Assert.Equal("/services/api/l2", leased.ResponseStream.Current.Leased.Path);
        await server.UntilServiceAsync("api", v => v.Registered.SequenceEqual(["l2"]), Deadline, "the lease under the granting node is served");

        // The leased znode is the server's to change and everyone's to read: a client without the credential can read
        // it but not rewrite the leased address.
        await using var stranger = await ZooKeeperClient.ConnectAsync(_zk.ConnectString);
        var acl = (await stranger.GetAclAsync("/services/api/l2")).Acl;
        // ZooKeeper 3.8 shows a digest as "user:x" to a session without ADMIN on the node.
        Assert.Collection(
            acl.OrderBy(a => a.Scheme, StringComparer.Ordinal),
            a => Assert.Equal((Permissions.All, "digest", true), (a.Permissions, a.Scheme, a.Id.StartsWith("registry:", StringComparison.Ordinal))),
            a => Assert.Equal(new Acl(Permissions.Read, "world", "anyone"), a));
        Assert.Contains("10.1.1.1", Encoding.UTF8.GetString((await stranger.GetDataAsync("/services/api/l2")).Data), StringComparison.Ordinal);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync("/services/api/l2", Encoding.UTF8.GetBytes(Curator("api", "l2", "203.0.113.66", 8080))));
    }

    /// <summary>The id ZooKeeper's digest scheme gives user:password: <c>user:base64(sha1("user:password"))</c>, computed here on its own.</summary>
#pragma warning disable CA5350 // SHA-1 is what the ZooKeeper digest scheme is defined with.
    private static string Digest(string user, string password) =>
        $"{user}:{Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes($"{user}:{password}")))}";
#pragma warning restore CA5350

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Curator(string name, string id, string address, int port) =>
        $$"""{"name":"{{name}}","id":"{{id}}","address":"{{address}}","port":{{port}},"payload":null,"registrationTimeUTC":0,"serviceType":"DYNAMIC","uriSpec":null}""";

    private static V1.RegisterRequest Request(string service, string id) =>
        new() { Instance = new V1.InstanceSpec { Service = service, Id = id, Address = "10.1.1.1", Port = 8080 } };

    private string WriteAuthFile(string content, UnixFileMode mode)
    {
        var zones = Zones();
        var file = Path.Combine(zones.Root, "zookeeper-auth");
        File.WriteAllText(file, content + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, mode);
        }

        return file;
    }

    private TestZones Zones()
    {
        var zones = new TestZones();
        _zones.Add(zones);
        return zones;
    }

    /// <summary>A server with zones and data of its own, so that one server's persisted view never shows in another.</summary>
    private async Task<RegistryServerProcess> StartServerAsync(params string[] extra)
    {
        var zones = Zones();
        var server = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", zones.Directory, "--data-dir", zones.DataDirectory, .. extra]);
        await server.WaitReadyAsync();
        return server;
    }

    /// <summary>Runs a kazoo snippet (with <c>zk</c>, <c>digest</c>, <c>ACL</c>, <c>Id</c>, <c>Permissions</c>) to its end.</summary>
    private async Task RunKazooAsync(string body)
    {
        Assert.True(File.Exists(DebianPython), "python3-kazoo needs Debian's python3: apt-get install -y python3-kazoo");
        var program = $$"""
            import base64, hashlib
            from kazoo.client import KazooClient
            from kazoo.security import ACL, Id, Permissions
            def digest(user, password):
                return user + ":" + base64.b64encode(hashlib.sha1(f"{user}:{password}".encode()).digest()).decode()
            zk = KazooClient(hosts="{{_zk.ConnectString}}")
            zk.start(timeout=15)
            try:
            {{string.Join('\n', body.Split('\n').Select(l => "    " + l))}}
            finally:
                zk.stop()
                zk.close()
            """;
        using var kazoo = Process.Start(new ProcessStartInfo(DebianPython, ["-c", program]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = kazoo.StandardError.ReadToEndAsync();
        await kazoo.WaitForExitAsync().WaitAsync(Deadline);
        Assert.True(kazoo.ExitCode == 0, $"kazoo failed: {await stderr}");
    }
}
