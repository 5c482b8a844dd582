using System.Diagnostics;
using System.Globalization;
using System.Text;
using Registry.Testing;
using Registry.Testing.Internal;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// A real BIND 9 (<c>named</c> from Debian's bind9 package) as a child process on a free loopback port, for the tests
/// that compare the facade with BIND or make BIND a secondary of it. Runs in the foreground (<c>-g</c>), so its log is
/// its output, kept for failure messages; its files live in a temporary directory removed on dispose.
/// </summary>
internal sealed class NamedProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NamedProcess(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The UDP and TCP port named answers on, at 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>named's working directory (zone files written by tests go here; secondaries store transfers here).</summary>
    public string Directory { get; }

    /// <summary>Everything named logged so far.</summary>
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

    /// <summary>The path of named, or null when BIND 9 is not installed (the caller fails with what to install).</summary>
    public static string? Executable => File.Exists("/usr/sbin/named") ? "/usr/sbin/named" : null;

    /// <summary>
    /// Starts named with <paramref name="configuration"/> (zone and key statements; <c>options</c> are written here:
    /// loopback only, no recursion, no IPv6) and waits until it answers the SOA of <paramref name="readyZone"/>.
    /// </summary>
    /// <param name="configuration">named.conf text after the options block. <c>{dir}</c> is replaced by <see cref="Directory"/>.</param>
    /// <param name="files">Files to write into the directory first (name, content), e.g. zone files.</param>
    /// <param name="readyZone">A zone named serves once ready, e.g. <c>svc.example.</c>; for a secondary, once transferred.</param>
    /// <param name="port">The port to listen on, when the test must know it before named starts (e.g. to have NOTIFYs sent there); a free one otherwise.</param>
    public static async Task<NamedProcess> StartAsync(string configuration, IReadOnlyDictionary<string, string> files, string readyZone, int? port = null)
    {
        var executable = Executable ?? throw new InvalidOperationException("BIND 9 is not installed: apt-get install -y bind9 (deploy/test.sh does this as root)");
        var directory = System.IO.Directory.CreateTempSubdirectory("named-").FullName;
        foreach (var (name, content) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        }

        var listenPort = port ?? FreePorts.Next();
        var config = Path.Combine(directory, "named.conf");
        await File.WriteAllTextAsync(config, $$"""
            options {
              directory "{{directory}}";
              pid-file "{{directory}}/named.pid";
              listen-on port {{listenPort}} { 127.0.0.1; };
              listen-on-v6 { none; };
              recursion no;
              allow-query { any; };
              dnssec-validation no;
              notify no;
            };
            controls { };
            {{configuration.Replace("{dir}", directory, StringComparison.Ordinal)}}
            """);

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var arg in new[] { "-g", "-4", "-c", config, "-n", "1" })
        {
            start.ArgumentList.Add(arg);
        }

        var named = new NamedProcess(Process.Start(start)!, listenPort, directory);
        try
        {
            await Poll.UntilAsync(
                async _ =>
                {
                    if (named._process.HasExited)
                    {
                        throw new InvalidOperationException($"named exited with {named._process.ExitCode}:\n{named.Output}");
                    }

                    var answer = await DigAnswer.QueryAsync(listenPort, readyZone, "SOA");
                    return answer.Status == "NOERROR" && answer.Answer.Count == 1;
                },
                StartTimeout,
                $"named on port {listenPort} serves {readyZone}; its log:\n{named.Output}");
            return named;
        }
        catch
        {
            await named.DisposeAsync();
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
            // A file named still held; the temporary directory is left for the OS to clean.
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"named on 127.0.0.1:{Port}");

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
