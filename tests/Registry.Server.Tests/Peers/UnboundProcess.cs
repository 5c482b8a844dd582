using System.Diagnostics;
using Registry.Testing.Internal;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// A real Unbound (Debian's <c>unbound</c>) as a child process on a free loopback port: a recursive resolver with a
/// stub-zone that sends the queries for one zone to the facade, as a site resolver in front of Registry would. It runs
/// in the foreground (<c>-d</c>), without chroot, privilege drop or validation; its files live in a temporary directory
/// removed on dispose, and its log is kept for failure messages.
/// </summary>
internal sealed class UnboundProcess(PeerProcess peer) : IAsyncDisposable
{
    /// <summary>The UDP and TCP port Unbound answers on, at 127.0.0.1.</summary>
    public int Port => peer.Port;

    public string Directory => peer.Directory;

    /// <summary>Everything Unbound logged so far.</summary>
    public string Output => peer.Output;

    /// <summary>
    /// Writes a configuration with a stub-zone for <paramref name="zone"/> pointing at 127.0.0.1:<paramref name="stubPort"/>,
    /// checks it with unbound-checkconf, starts unbound and waits until it answers the zone's SOA through the stub.
    /// </summary>
    /// <param name="zone">The stub zone, e.g. <c>svc.example.</c>.</param>
    /// <param name="stubPort">The authoritative server's port (the facade's DNS port).</param>
    /// <exception cref="InvalidOperationException">Unbound is not installed, its configuration is rejected, or it exits.</exception>
    public static async Task<UnboundProcess> StartAsync(string zone, int stubPort)
    {
        if (!File.Exists("/usr/sbin/unbound"))
        {
            throw new InvalidOperationException("Unbound is not installed: apt-get install -y unbound (deploy/test.sh does this as root)");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("unbound-").FullName;
        var port = FreePorts.Next();
        var config = Path.Combine(directory, "unbound.conf");

        // do-not-query-localhost: no lets the stub address be 127.0.0.1; module-config "iterator" turns validation off
        // (the facade's zones are not signed and there is no trust anchor for them).
        await File.WriteAllTextAsync(config, $"""
            server:
              interface: 127.0.0.1
              port: {port}
              do-ip6: no
              do-not-query-localhost: no
              access-control: 127.0.0.0/8 allow
              chroot: ""
              username: ""
              directory: "{directory}"
              pidfile: "{directory}/unbound.pid"
              use-syslog: no
              logfile: ""
              verbosity: 1
              module-config: "iterator"
              num-threads: 1
            remote-control:
              control-enable: no
            stub-zone:
              name: "{zone}"
              stub-addr: 127.0.0.1@{stubPort}

            """);

        var (code, check) = await RunAsync("/usr/sbin/unbound-checkconf", config);
        if (code != 0)
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"unbound-checkconf rejected the configuration ({code}):\n{check}");
        }

        return new UnboundProcess(await PeerProcess.StartAsync("unbound", "/usr/sbin/unbound", ["-d", "-c", config], port, directory, zone, "+rec"));
    }

    public ValueTask DisposeAsync() => peer.DisposeAsync();

    public override string ToString() => peer.ToString();

    private static async Task<(int Code, string Output)> RunAsync(string executable, string config)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(config);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
