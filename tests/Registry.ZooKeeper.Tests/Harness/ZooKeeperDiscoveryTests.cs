using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.ZooKeeper.Tests.Harness;

/// <summary>How the harness finds Java and ZooKeeper, on described machines rather than by changing this process's environment.</summary>
public sealed class ZooKeeperDiscoveryTests
{
    private const string DebianJar = "/usr/share/java/zookeeper.jar";

    [Fact]
    public void Uses_the_Debian_jar_with_its_simple_logger_and_java_from_PATH()
    {
        var found = Discover(
            new() { ["PATH"] = "/nowhere:/usr/bin" },
            files: ["/usr/bin/java", DebianJar, "/usr/share/java/slf4j-simple.jar"]);

        Assert.Equal(new ZooKeeperInstallation("/usr/bin/java", $"{DebianJar}:/usr/share/java/slf4j-simple.jar"), found);
    }

    [Fact]
    public void Prefers_JAVA_HOME_and_REGISTRY_ZOOKEEPER_JAR()
    {
        var found = Discover(
            new() { ["JAVA_HOME"] = "/opt/jdk", ["PATH"] = "/usr/bin", ["REGISTRY_ZOOKEEPER_JAR"] = "/opt/zk/zookeeper-3.8.4.jar" },
            files: ["/opt/jdk/bin/java", "/usr/bin/java", "/opt/zk/zookeeper-3.8.4.jar", DebianJar]);

        Assert.Equal(new ZooKeeperInstallation("/opt/jdk/bin/java", "/opt/zk/zookeeper-3.8.4.jar"), found);
    }

    [Fact]
    public void Falls_back_to_ZOOKEEPER_HOME_lib_with_its_conf()
    {
        var found = Discover(
            new() { ["PATH"] = "/usr/bin", ["ZOOKEEPER_HOME"] = "/opt/zookeeper" },
            files: ["/usr/bin/java"],
            directories: ["/opt/zookeeper/lib"]);

        Assert.Equal(new ZooKeeperInstallation("/usr/bin/java", "/opt/zookeeper/lib/*:/opt/zookeeper/conf"), found);
    }

    [Fact]
    public void A_REGISTRY_ZOOKEEPER_JAR_that_does_not_exist_is_reported_rather_than_replaced()
    {
        var found = Discover(
            new() { ["PATH"] = "/usr/bin", ["REGISTRY_ZOOKEEPER_JAR"] = "/typo/zookeeper.jar" },
            files: ["/usr/bin/java", DebianJar],
            out var problem);

        Assert.Null(found);
        Assert.Contains("REGISTRY_ZOOKEEPER_JAR=/typo/zookeeper.jar does not exist", problem);
    }

    [Fact]
    public void A_bare_machine_gets_an_error_that_says_what_to_install()
    {
        var found = Discover(new() { ["PATH"] = "/usr/bin" }, files: [], out var problem);
        var error = BackendSelector.Unavailable(problem, dockerWasConsidered: true);

        Assert.Null(found);
        Assert.Contains("no java on PATH", error.Message);
        Assert.Contains("no ZooKeeper jar", error.Message);
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

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, string[]? directories = null) =>
        Discover(environment, files, directories ?? [], out _);

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, out string problem) =>
        Discover(environment, files, [], out problem);

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, string[] directories, out string problem) =>
        ZooKeeperInstallation.Discover(environment.GetValueOrDefault, files.Contains, directories.Contains, out problem);
}
