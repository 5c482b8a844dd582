using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.ZooKeeper.Tests.Harness;

/// <summary>How the harness picks its backend (local processes or Docker) and says what to install when it has none.</summary>
public sealed class BackendSelectorTests
{
    [Fact]
    public void A_bare_machine_gets_an_error_that_says_what_to_install()
    {
        var error = BackendSelector.Unavailable("no java on PATH and JAVA_HOME is not set", dockerWasConsidered: true);

        Assert.Contains("no java on PATH", error.Message);
        Assert.Contains("apt-get install -y zookeeper default-jre-headless", error.Message);
        Assert.Contains("REGISTRY_ZOOKEEPER_JAR", error.Message);
        Assert.Contains("JAVA_HOME", error.Message);
        Assert.Contains("Docker", error.Message);
    }

    [Theory]
    [InlineData(null, ZooKeeperBackend.Auto)]
    [InlineData("", ZooKeeperBackend.Auto)]
    [InlineData("auto", ZooKeeperBackend.Auto)]
    [InlineData("process", ZooKeeperBackend.Process)]
    [InlineData("Docker", ZooKeeperBackend.Docker)]
    public void REGISTRY_TEST_ZOOKEEPER_values_select_a_backend(string? value, ZooKeeperBackend expected) =>
        Assert.Equal(expected, BackendSelector.Parse(value));

    [Fact]
    public void An_unknown_REGISTRY_TEST_ZOOKEEPER_value_is_rejected_with_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => BackendSelector.Parse("podman"));
        Assert.Contains("process, docker, auto", error.Message);
    }
}
