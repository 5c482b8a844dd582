using System.Text;
using Xunit.Abstractions;

namespace Registry.ZooKeeper.Tests.Integration;

[Collection(ZooKeeperCollection.Name)]
public class AclTests(ZooKeeperFixture fixture, ITestOutputHelper output) : ZooKeeperTestBase(fixture, output)
{
    [Fact]
    public async Task A_node_restricted_to_a_digest_identity_refuses_others()
    {
        var owner = await ConnectAsync();
        await owner.AddAuthAsync("digest", Encoding.UTF8.GetBytes("web:s3cret"));
        IReadOnlyList<Acl> acl = [Acl.Digest(Permissions.All, "web", "s3cret"), new Acl(Permissions.Read, "world", "anyone")];
        await owner.CreateAsync("/web", Encoding.UTF8.GetBytes("owned"), acl: acl);

        var stranger = await ConnectAsync();
        Assert.Equal("owned", Encoding.UTF8.GetString((await stranger.GetDataAsync("/web")).Data));
        var denied = await Assert.ThrowsAsync<NoAuthException>(() => stranger.CreateAsync("/web/instance", default, CreateMode.Ephemeral));
        Assert.Equal("/web/instance", denied.Path);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync("/web", new byte[] { 1 }));

        var wrongPassword = await ConnectAsync();
        await wrongPassword.AddAuthAsync("digest", Encoding.UTF8.GetBytes("web:guess"));
        await Assert.ThrowsAsync<NoAuthException>(() => wrongPassword.CreateAsync("/web/instance", default));

        await owner.CreateAsync("/web/instance", default, CreateMode.Ephemeral);
        var read = await owner.GetAclAsync("/web");
        Assert.Equal(acl, read.Acl);
    }

    [Fact]
    public async Task Credentials_are_replayed_after_a_reconnect()
    {
        await using var proxy = await Registry.Testing.TcpProxy.StartAsync(Server.EndPoint);
        var zk = await ConnectAsync(proxy.ConnectString + Root, sessionTimeout: TimeSpan.FromSeconds(6));
        await zk.AddAuthAsync("digest", Encoding.UTF8.GetBytes("svc:pw"));
        await zk.CreateAsync("/private", default, acl: Acl.CreatorAll);

        proxy.CutAll();
        await EventuallyAsync(() => Task.FromResult(zk.State == SessionState.Connected && proxy.AcceptedConnections >= 2), "reconnected");
        await EventuallyAsync(async () =>
        {
            try
            {
                await zk.SetDataAsync("/private", new byte[] { 1 });
                return true;
            }
            catch (ConnectionLossException)
            {
                return false;
            }
        }, "write with replayed credentials");
    }

    [Fact]
    public async Task Credentials_of_the_options_hold_from_the_first_request_and_after_a_reconnect()
    {
        var owner = await ConnectAsync(credentials: [AuthInfo.Digest("web", "s3cret")]);
        await owner.CreateAsync("/locked", Encoding.UTF8.GetBytes("secret"), acl: [Acl.Digest(Permissions.All, "web", "s3cret")]);
        var stranger = await ConnectAsync();
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync("/locked"));

        await using var proxy = await Registry.Testing.TcpProxy.StartAsync(Server.EndPoint);
        var zk = await ConnectAsync(proxy.ConnectString + Root, sessionTimeout: TimeSpan.FromSeconds(6), credentials: [AuthInfo.Digest("web", "s3cret")]);
        Assert.Equal("secret", Encoding.UTF8.GetString((await zk.GetDataAsync("/locked")).Data));

        proxy.CutAll();
        await EventuallyAsync(() => Task.FromResult(zk.State == SessionState.Connected && proxy.AcceptedConnections >= 2), "reconnected");
        await EventuallyAsync(async () =>
        {
            try
            {
                await zk.SetDataAsync("/locked", Encoding.UTF8.GetBytes("again"));
                return true;
            }
            catch (ConnectionLossException)
            {
                return false;
            }
        }, "write with the credentials sent again");
        Assert.Equal("again", Encoding.UTF8.GetString((await owner.GetDataAsync("/locked")).Data));
    }

    [Fact]
    public async Task A_credential_the_server_rejects_fails_ConnectAsync()
    {
        var rejected = await Assert.ThrowsAsync<AuthFailedException>(() => ConnectAsync(credentials: [new AuthInfo("no-such-scheme", [1, 2, 3])]));
        Assert.Equal(KeeperErrorCode.AuthFailed, rejected.Code);
    }

    [Fact]
    public async Task SetAcl_follows_the_acl_version()
    {
        var zk = await ConnectAsync();
        await zk.CreateAsync("/a", default);
        await Assert.ThrowsAsync<BadVersionException>(() => zk.SetAclAsync("/a", Acl.ReadUnsafe, version: 3));
        var stat = await zk.SetAclAsync("/a", Acl.ReadUnsafe, version: 0);
        Assert.Equal(1, stat.Aversion);

        // Without ADMIN permission the ACL cannot change any more, whatever the version.
        await Assert.ThrowsAsync<NoAuthException>(() => zk.SetAclAsync("/a", Acl.OpenUnsafe, version: 1));
        await Assert.ThrowsAsync<NoAuthException>(() => zk.SetDataAsync("/a", new byte[] { 1 }));
        Assert.Equal(Acl.ReadUnsafe, (await zk.GetAclAsync("/a")).Acl);
    }
}
