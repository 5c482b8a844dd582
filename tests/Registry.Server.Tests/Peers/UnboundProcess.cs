using System.Diagnostics;
using System.Globalization;
using System.Text;
using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// A real Unbound (Debian's <c>unbound</c>) as a child process on a free loopback port: a recursive resolver with a
/// stub-zone that sends the queries for one zone to the facade, as a site resolver in front of Registry would. It runs
/// in the foreground (<c>-d</c>), without chroot, privilege drop or validation; its files live in a temporary directory
/// removed on dispose, and its log is kept for failure messages.
/// </summary>
internal sealed class UnboundProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private UnboundProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The UDP and TCP port Unbound answers on, at 127.0.0.1.</summary>
    public int Port { get; }

    public string Directory { get; }

    /// <summary>Everything Unbound logged so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

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

        var start = new ProcessStartInfo("/usr/sbin/unbound")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "-d", "-c", config })
        {
            start.ArgumentList.Add(arg);
        }

        var unbound = new UnboundProcess(Process.Start(start)!, port, directory);
        try
        {
            await Poll.UntilAsync(
                async _ =>
                {
                    if (unbound._process.HasExited)
                    {
                        throw new InvalidOperationException($"unbound exited with {unbound._process.ExitCode}:\n{unbound.Output}");
                    }

                    var answer = await DigAnswer.QueryAsync(port, zone, "SOA", false, "+rec");
                    return answer.Status == "NOERROR" && answer.Answer.Count == 1;
                },
                StartTimeout,
                $"unbound on port {port} resolves {zone} through the stub; its log:\n{unbound.Output}");
            return unbound;
        }
        catch
        {
            await unbound.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held; the temporary directory is left for the OS to clean.
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"unbound on 127.0.0.1:{Port}");

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

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
