using System.Text;

namespace Registry.ZooKeeper.Tests;

/// <summary>Credentials as text (<c>scheme:credential</c>), as operators write them into a file.</summary>
public class AuthInfoTests
{
    [Theory]
    [InlineData("digest:registry:s3cret", "digest", "registry:s3cret")]
    [InlineData("digest:registry:with:colons", "digest", "registry:with:colons")]
    [InlineData("digest:registry:", "digest", "registry:")]
    [InlineData("x-custom:token", "x-custom", "token")]
    public void Scheme_and_credential_split_at_the_first_colon(string text, string scheme, string credential)
    {
        Assert.True(AuthInfo.TryParse(text, out var auth, out var error), error);
        Assert.Equal(scheme, auth.Scheme);
        Assert.Equal(credential, Encoding.UTF8.GetString(auth.Auth.Span));
    }

    [Theory]
    [InlineData("", "not scheme:credential")]
    [InlineData("registry", "not scheme:credential")]
    [InlineData(":registry:hunter2", "not scheme:credential")]
    [InlineData("dig est:registry:hunter2", "not scheme:credential")]
    [InlineData("digest:", "is empty")]
    [InlineData("digest:hunter2", "user:password")]
    [InlineData("digest::hunter2", "user:password")]
    public void Malformed_credentials_are_explained_without_the_secret(string text, string reason)
    {
        Assert.False(AuthInfo.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_text_of_a_credential_never_shows_the_secret()
    {
        Assert.Equal("digest:registry", AuthInfo.Digest("registry", "s3cret").ToString());
        Assert.Equal("x-custom", new AuthInfo("x-custom", "s3cret"u8).ToString());
    }

    [Fact]
    public void A_digest_credential_matches_the_acl_id_zookeeper_computes() =>
        // What ZooKeeper 3.8 prints for `java org.apache.zookeeper.server.auth.DigestAuthenticationProvider registry:s3cret`.
        Assert.Equal("registry:gplt3EZKpvXoX/dK1AGiive8QlA=", Acl.DigestId("registry", "s3cret"));
}
