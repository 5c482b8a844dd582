using System.Text;

namespace Registry.Discovery.Tests;

/// <summary>The credential file of <c>--zookeeper-auth-file</c>: what it accepts, and errors that never show the secret.</summary>
public sealed class ZooKeeperAuthFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"zk-auth-{Guid.NewGuid():N}");

    public void Dispose() => File.Delete(_file);

    [Theory]
    [InlineData("digest:registry:hunter2")]
    [InlineData("digest:registry:hunter2\n")]
    [InlineData("# the registry servers' identity\r\n\r\n  digest:registry:hunter2  \r\n")]
    public void One_credential_line_is_read_around_blank_lines_and_comments(string content)
    {
        File.WriteAllText(_file, content);
        Assert.True(ZooKeeperAuthFile.TryRead(_file, out var credential, out var error), error);
        Assert.Equal("digest", credential.Scheme);
        Assert.Equal("registry:hunter2", Encoding.UTF8.GetString(credential.Auth.Span));
    }

    [Theory]
    [InlineData("", "has 0")]
    [InlineData("digest:registry:hunter2\ndigest:other:hunter2\n", "has 2")]
    [InlineData(":hunter2", "scheme:credential")]
    [InlineData("digest:hunter2", "user:password")]
    public void A_bad_file_is_explained_naming_the_file_but_not_the_secret(string content, string reason)
    {
        File.WriteAllText(_file, content);
        Assert.False(ZooKeeperAuthFile.TryRead(_file, out _, out var error));
        Assert.Contains(_file, error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_explained()
    {
        Assert.False(ZooKeeperAuthFile.TryRead(_file, out _, out var error));
        Assert.Contains($"cannot read the credential file {_file}", error, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_file_every_user_may_read_is_told_apart()
    {
        File.WriteAllText(_file, "digest:registry:hunter2");
        File.SetUnixFileMode(_file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.False(ZooKeeperAuthFile.IsReadableByEveryone(_file));
        File.SetUnixFileMode(_file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.True(ZooKeeperAuthFile.IsReadableByEveryone(_file));
    }
}
