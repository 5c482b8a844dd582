namespace Registry.Server.Embedded;

/// <summary>
/// A <c>java</c> executable and the class path of a ZooKeeper 3.8 server, found on this machine: what the embedded
/// ZooKeeper runs, and what the test harness runs.
/// </summary>
/// <param name="JavaPath">The <c>java</c> executable.</param>
/// <param name="ClassPath">The class path of the server (jars separated by the platform's path separator).</param>
public sealed record ZooKeeperInstallation(string JavaPath, string ClassPath)
{
    /// <summary>The environment variable that points at a zookeeper.jar to use instead of the packaged one.</summary>
    public const string JarEnvironmentVariable = "REGISTRY_ZOOKEEPER_JAR";
    /// <summary>How to install what is needed on Debian and Ubuntu.</summary>
    public const string InstallHint = "apt-get install -y zookeeper default-jre-headless";
    private const string DebianJar = "/usr/share/java/zookeeper.jar";

    private static readonly Lazy<(ZooKeeperInstallation? Found, string Problem)> Discovered =
        new(() => (Discover(Environment.GetEnvironmentVariable, File.Exists, Directory.Exists, out var problem), problem));

    /// <summary>The installation on this machine, or <see langword="null"/> with <paramref name="problem"/> saying what is missing.</summary>
    /// <param name="problem">What is missing, when the result is null; empty otherwise.</param>
    public static ZooKeeperInstallation? TryFind(out string problem)
    {
        (var found, problem) = Discovered.Value;
        return found;
    }

    /// <summary>
    /// Looks for java in <c>$JAVA_HOME/bin</c>, then on <c>PATH</c>; for the server in <c>$REGISTRY_ZOOKEEPER_JAR</c>,
    /// then Debian's <c>/usr/share/java/zookeeper.jar</c> (whose manifest lists its dependencies), then <c>$ZOOKEEPER_HOME/lib</c>.
    /// The lookups are parameters so tests can describe a machine without changing the process environment.
    /// </summary>
    internal static ZooKeeperInstallation? Discover(
        Func<string, string?> environment,
        Func<string, bool> fileExists,
        Func<string, bool> directoryExists,
        out string problem)
    {
        var java = FindJava(environment, fileExists, out var javaProblem);
        var classPath = FindClassPath(environment, fileExists, directoryExists, out var jarProblem);
        var problems = new[] { javaProblem, jarProblem }.Where(p => p is not null);
        problem = string.Join("; ", problems);
        return java is not null && classPath is not null ? new ZooKeeperInstallation(java, classPath) : null;
    }

    private static string? FindJava(Func<string, string?> environment, Func<string, bool> fileExists, out string? problem)
    {
        problem = null;
        var javaHome = environment("JAVA_HOME");
        if (!string.IsNullOrEmpty(javaHome))
        {
            var candidate = Path.Combine(javaHome, "bin", "java");
            if (fileExists(candidate))
            {
                return candidate;
            }
        }

        foreach (var directory in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "java");
            if (fileExists(candidate))
            {
                return candidate;
            }
        }

        problem = string.IsNullOrEmpty(javaHome)
            ? "no java on PATH and JAVA_HOME is not set"
            : $"no java in JAVA_HOME={javaHome}/bin nor on PATH";
        return null;
    }

    private static string? FindClassPath(
        Func<string, string?> environment,
        Func<string, bool> fileExists,
        Func<string, bool> directoryExists,
        out string? problem)
    {
        problem = null;
        var configured = environment(JarEnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            if (fileExists(configured))
            {
                return WithSimpleLogger(configured, fileExists);
            }

            // An explicit setting that points nowhere is a mistake to report, not a reason to quietly use another jar.
            problem = $"{JarEnvironmentVariable}={configured} does not exist";
            return null;
        }

        if (fileExists(DebianJar))
        {
            return WithSimpleLogger(DebianJar, fileExists);
        }

        var home = environment("ZOOKEEPER_HOME");
        if (!string.IsNullOrEmpty(home) && directoryExists(Path.Combine(home, "lib")))
        {
            // A release tarball: lib/ has the jars (with logback), conf/ has the logback.xml that keeps it at INFO.
            return string.Join(Path.PathSeparator, Path.Combine(home, "lib", "*"), Path.Combine(home, "conf"));
        }

        problem = string.IsNullOrEmpty(home)
            ? $"no ZooKeeper jar: {JarEnvironmentVariable} and ZOOKEEPER_HOME are not set and {DebianJar} does not exist"
            : $"no ZooKeeper jar: {JarEnvironmentVariable} is not set, {DebianJar} does not exist and ZOOKEEPER_HOME={home} has no lib/";
        return null;
    }

    /// <summary>
    /// Debian's jar names only slf4j-api in its manifest, which would make the server log nothing at all; slf4j-simple
    /// beside it sends the log to stderr, where the harness captures it for failure messages.
    /// </summary>
    private static string WithSimpleLogger(string jar, Func<string, bool> fileExists)
    {
        var simpleLogger = Path.Combine(Path.GetDirectoryName(jar) ?? ".", "slf4j-simple.jar");
        return fileExists(simpleLogger) ? jar + Path.PathSeparator + simpleLogger : jar;
    }
}
