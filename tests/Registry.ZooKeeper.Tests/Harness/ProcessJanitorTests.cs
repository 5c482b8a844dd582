using System.Diagnostics;
using System.Globalization;
using Registry.Testing.Internal;

namespace Registry.ZooKeeper.Tests.Harness;

/// <summary>Orphans left by a test run that was killed outright (no exit handlers ran) are cleaned up by the next run.</summary>
public sealed class ProcessJanitorTests
{
    [Fact]
    public async Task SweepOrphans_kills_servers_of_dead_test_runs_and_deletes_their_directories()
    {
        var root = Directory.CreateTempSubdirectory("registry-janitor-test-").FullName;
        try
        {
            var deadOwner = await DeadProcessIdAsync();
            var orphanDirectory = Path.Combine(root, $"{deadOwner}-standalone-0123456789ab");
            var liveDirectory = Path.Combine(root, $"{Environment.ProcessId}-standalone-0123456789ab");
            Directory.CreateDirectory(Path.Combine(orphanDirectory, "member-1"));
            Directory.CreateDirectory(liveDirectory);

            // Stands in for the orphaned JVM: its command line names the directory, as a server's zoo.cfg path does.
            using var orphan = Process.Start("/bin/sh", ["-c", "sleep 60", Path.Combine(orphanDirectory, "member-1", "zoo.cfg")]);
            await File.WriteAllTextAsync(
                Path.Combine(orphanDirectory, "member-1", ProcessJanitor.PidFileName),
                orphan.Id.ToString(CultureInfo.InvariantCulture));

            var removed = ProcessJanitor.SweepOrphans(root);

            Assert.Equal(1, removed);
            Assert.False(Directory.Exists(orphanDirectory));
            Assert.True(Directory.Exists(liveDirectory), "a directory of a running test process must be left alone");
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await orphan.WaitForExitAsync(exited.Token);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task SweepOrphans_does_not_kill_a_process_that_merely_reuses_a_recorded_pid()
    {
        var root = Directory.CreateTempSubdirectory("registry-janitor-test-").FullName;
        using var bystander = Process.Start("/bin/sh", ["-c", "sleep 60"]);
        try
        {
            var orphanDirectory = Path.Combine(root, $"{await DeadProcessIdAsync()}-standalone-0123456789ab");
            Directory.CreateDirectory(orphanDirectory);
            await File.WriteAllTextAsync(
                Path.Combine(orphanDirectory, ProcessJanitor.PidFileName),
                bystander.Id.ToString(CultureInfo.InvariantCulture));

            ProcessJanitor.SweepOrphans(root);

            Assert.False(Directory.Exists(orphanDirectory));
            Assert.False(bystander.HasExited);
        }
        finally
        {
            bystander.Kill();
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = Process.Start("/bin/true");
        await process.WaitForExitAsync();
        return process.Id;
    }
}
