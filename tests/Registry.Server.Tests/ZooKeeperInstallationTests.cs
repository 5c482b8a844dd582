using Registry.Server.Embedded;

namespace Registry.Server.Tests;

/// <summary>How the server (and the test harness) finds Java and ZooKeeper, on described machines rather than by changing this process's environment.</summary>
public sealed class ZooKeeperInstallationTests
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
    public void A_bare_machine_is_told_both_what_is_missing()
    {
        var found = Discover(new() { ["PATH"] = "/usr/bin" }, files: [], out var problem);

        Assert.Null(found);
        Assert.Contains("no java on PATH and JAVA_HOME is not set", problem);
        Assert.Contains("no ZooKeeper jar", problem);
        Assert.Contains("REGISTRY_ZOOKEEPER_JAR", problem);
    }

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, string[]? directories = null) =>
        Discover(environment, files, directories ?? [], out _);

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, out string problem) =>
        Discover(environment, files, [], out problem);

    private static ZooKeeperInstallation? Discover(Dictionary<string, string> environment, string[] files, string[] directories, out string problem) =>
        ZooKeeperInstallation.Discover(environment.GetValueOrDefault, files.Contains, directories.Contains, out problem);
}
