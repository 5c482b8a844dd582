using System.Diagnostics;
using System.Globalization;
using System.Text;
using Registry.Testing;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// A real DNS server of another project (named, unbound) as a child process in the foreground, in a temporary
/// directory of its own that is removed on dispose, with its log kept for failure messages.
/// </summary>
internal sealed class PeerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _name;

    private PeerProcess(string name, Process process, int port, string directory)
    {
        _name = name;
        _process = process;
        Port = port;
        Directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The UDP and TCP port it answers on, at 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Its working directory (configuration, zone files, transferred zones).</summary>
    public string Directory { get; }

    /// <summary>Everything it logged so far.</summary>
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
    /// Starts <paramref name="executable"/> with <paramref name="arguments"/> in <paramref name="directory"/> and waits
    /// until it answers the SOA of <paramref name="readyZone"/> on <paramref name="port"/> (asked with
    /// <paramref name="digOptions"/>); on failure it is stopped and the error carries its log.
    /// </summary>
    public static async Task<PeerProcess> StartAsync(string name, string executable, IEnumerable<string> arguments, int port, string directory, string readyZone, params string[] digOptions)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var peer = new PeerProcess(name, Process.Start(start)!, port, directory);
        try
        {
            await Poll.UntilAsync(
                async _ =>
                {
                    if (peer._process.HasExited)
                    {
                        throw new InvalidOperationException($"{name} exited with {peer._process.ExitCode}:\n{peer.Output}");
                    }

                    var answer = await DigAnswer.QueryAsync(port, readyZone, "SOA", false, digOptions);
                    return answer.Status == "NOERROR" && answer.Answer.Count == 1;
                },
                StartTimeout,
                $"{name} on port {port} serves {readyZone}; its log:\n{peer.Output}");
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
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

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{_name} on 127.0.0.1:{Port}");

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
