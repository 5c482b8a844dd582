using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Registry.Testing.Internal;

/// <summary>
/// Makes sure no ZooKeeper JVM outlives the test run. Live processes are killed when this process exits normally
/// (<see cref="AppDomain.ProcessExit"/>) or dies of an unhandled exception. A test host killed with SIGKILL runs no
/// handler at all, so every server directory is named after the owning test process and holds the JVM's pid: the next
/// run that creates a directory sweeps those whose owner is gone and kills their JVMs.
/// </summary>
internal static class ProcessJanitor
{
    public const string PidFileName = "server.pid";

    /// <summary>All harness directories live under this one, so orphans can be found and temp stays tidy.</summary>
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "registry-zookeeper");

    private static readonly ConcurrentDictionary<int, (Process Process, string Directory)> Live = new();
    private static readonly Lazy<bool> Installed = new(Install);
    private static readonly Lazy<int> Swept = new(() => SweepOrphans(Root));

    /// <summary>Tracks a live JVM and the directory it runs in, until <see cref="Unregister"/>.</summary>
    public static void Register(Process process, string directory)
    {
        _ = Installed.Value;
        Live[process.Id] = (process, directory);
    }

    public static void Unregister(Process process) => Live.TryRemove(process.Id, out _);

    /// <summary>Creates a fresh directory named <c>{owner pid}-{kind}-{random}</c>, after sweeping orphans once per run.</summary>
    public static string CreateDirectory(string kind)
    {
        _ = Swept.Value;
        var path = Path.Combine(Root, $"{Environment.ProcessId}-{kind}-{Guid.NewGuid().ToString("N")[..12]}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes a directory tree, retrying briefly because a just-killed JVM's files can linger for a moment.</summary>
    public static async Task DeleteDirectoryAsync(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && attempt < 10)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    private static bool Install()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        return true;
    }

    private static void KillAll()
    {
        var leftovers = Live.Values.ToList();
        foreach (var (process, _) in leftovers)
        {
            try
            {
                // Only the JVM itself (it has no children): the host may be torn down moments after this handler starts,
                // and walking /proc for process trees is what would make us miss that window.
                process.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
            {
                // Already gone.
            }
        }

        // Best effort: a JVM still dying may write one more file, in which case the next run's sweep finishes the job.
        foreach (var directory in leftovers.Select(l => TopLevelDirectory(l.Directory)).Distinct())
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the sweep.
            }
        }
    }

    /// <summary>The directory directly under <see cref="Root"/> that holds <paramref name="path"/> (an ensemble's, for a member).</summary>
    private static string TopLevelDirectory(string path)
    {
        var relative = Path.GetRelativePath(Root, path);
        return relative.StartsWith("..", StringComparison.Ordinal)
            ? path
            : Path.Combine(Root, relative.Split(Path.DirectorySeparatorChar)[0]);
    }

    /// <summary>
    /// Deletes the directories under <paramref name="root"/> whose owning test process is gone, killing the JVMs they
    /// recorded; returns how many directories it removed.
    /// </summary>
    internal static int SweepOrphans(string root)
    {
        if (!Directory.Exists(root))
        {
            return 0;
        }

        var removed = 0;
        foreach (var directory in Directory.EnumerateDirectories(root))
        {
            var name = Path.GetFileName(directory);
            var dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0
                || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                || owner == Environment.ProcessId
                || IsAlive(owner))
            {
                continue;
            }

            try
            {
                foreach (var pidFile in Directory.EnumerateFiles(directory, PidFileName, SearchOption.AllDirectories))
                {
                    KillIfOurs(pidFile, directory);
                }

                Directory.Delete(directory, recursive: true);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: another run may be sweeping the same directory.
            }
        }

        return removed;
    }

    private static void KillIfOurs(string pidFile, string directory)
    {
        if (!int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return;
        }

        // The pid may have been reused by an unrelated process since; only kill one whose command line names this directory.
        var commandLine = $"/proc/{pid}/cmdline";
        if (!File.Exists(commandLine) || !File.ReadAllText(commandLine).Contains(directory, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Exited in the meantime.
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
