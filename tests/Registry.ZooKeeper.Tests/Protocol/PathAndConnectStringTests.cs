using Registry.ZooKeeper.Internal;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Tests.Protocol;

public class PathAndConnectStringTests
{
    [Theory]
    [InlineData("127.0.0.1:2181", "127.0.0.1", 2181, null)]
    [InlineData("zk1,zk2:2182/app/registry", "zk1", 2181, "/app/registry")]
    [InlineData("[::1]:2190/", "::1", 2190, null)]
    [InlineData("::1", "::1", 2181, null)]
    public void Connect_strings_parse_like_the_Java_client(string input, string firstHost, int firstPort, string? chroot)
    {
        var parsed = ConnectionString.Parse(input);
        Assert.Equal(firstHost, parsed.Servers[0].Host);
        Assert.Equal(firstPort, parsed.Servers[0].Port);
        Assert.Equal(chroot, parsed.Chroot);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host:99999")]
    [InlineData("host:abc")]
    [InlineData("/only/chroot")]
    [InlineData("host:2181/bad/")]
    [InlineData("[::1:2181")]
    public void Bad_connect_strings_are_rejected_with_a_reason(string input)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => ConnectionString.Parse(input));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/a")]
    [InlineData("/a/b-c.d_e")]
    [InlineData("/zookeeper/quota")]
    public void Valid_paths_pass(string path) => ZooKeeperPath.Validate(path, "path");

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a", "start with '/'")]
    [InlineData("/a/", "end with '/'")]
    [InlineData("/a//b", "empty node name")]
    [InlineData("/a/./b", "relative")]
    [InlineData("/a/..", "relative")]
    [InlineData("/a\u0000b", "U+0000")]
    [InlineData("/a\u0001", "U+0001")]
    public void Invalid_paths_fail_with_the_rule_they_break(string path, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => ZooKeeperPath.Validate(path, "path"));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequential_creates_may_end_with_a_slash() => ZooKeeperPath.Validate("/queue/", "path", isSequential: true);

    [Theory]
    [InlineData(null, "/a", "/a")]
    [InlineData("/root", "/", "/root")]
    [InlineData("/root", "/a/b", "/root/a/b")]
    public void Chroot_is_prepended_and_stripped(string? chroot, string client, string server)
    {
        Assert.Equal(server, ZooKeeperPath.ToServer(chroot, client));
        Assert.Equal(client, ZooKeeperPath.ToClient(chroot, server));
    }

    [Fact]
    public void Paths_outside_the_chroot_are_not_mapped() => Assert.Null(ZooKeeperPath.ToClient("/root", "/rootless/a"));

    [Theory]
    [InlineData(1, 2)]
    [InlineData(int.MaxValue, 1)]
    [InlineData(0, 1)]
    [InlineData(-8, 1)]
    public void Xids_wrap_past_the_reserved_values(int current, int next) => Assert.Equal(next, Xids.Next(current));

    [Fact]
    public void Digest_ids_match_the_server_algorithm()
    {
        // DigestAuthenticationProvider.generateDigest("super:test") from the ZooKeeper admin guide.
        Assert.Equal("super:D/InIHSb7yEEbrWz8b9l71RjZJU=", Acl.DigestId("super", "test"));
    }
}
