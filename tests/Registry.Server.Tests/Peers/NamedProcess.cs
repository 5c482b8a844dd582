using Registry.Testing.Internal;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// A real BIND 9 (<c>named</c> from Debian's bind9 package) as a child process on a free loopback port, for the tests
/// that compare the facade with BIND or make BIND a secondary of it. Runs in the foreground (<c>-g</c>), so its log is
/// its output, kept for failure messages; its files live in a temporary directory removed on dispose.
/// </summary>
internal sealed class NamedProcess(PeerProcess peer) : IAsyncDisposable
{
    /// <summary>The UDP and TCP port named answers on, at 127.0.0.1.</summary>
    public int Port => peer.Port;

    /// <summary>named's working directory (zone files written by tests go here; secondaries store transfers here).</summary>
    public string Directory => peer.Directory;

    /// <summary>Everything named logged so far.</summary>
    public string Output => peer.Output;

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

        return new NamedProcess(await PeerProcess.StartAsync("named", executable, ["-g", "-4", "-c", config, "-n", "1"], listenPort, directory, readyZone));
    }

    public ValueTask DisposeAsync() => peer.DisposeAsync();

    public override string ToString() => peer.ToString();
}
