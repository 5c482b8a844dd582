using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Registry.Testing.Internal;

/// <summary>
/// A cheap "is a Docker engine answering?" check for <see cref="ZooKeeperBackend.Auto"/>. It pings only endpoints that
/// exist (DOCKER_HOST, or a socket file that is present), with a one-second limit, and remembers the answer, so a
/// machine without Docker pays nothing but a few file-existence checks.
/// </summary>
internal static class DockerProbe
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1);
    private static readonly Lazy<Task<bool>> Reachable = new(() => IsAnyReachableAsync(Candidates()));

    public static Task<bool> IsReachableAsync() => Reachable.Value;

    private static List<EndPoint> Candidates()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(dockerHost))
        {
            // An explicit DOCKER_HOST is the only endpoint Docker clients would use, so it is the only one to probe.
            return Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) ? [.. FromUri(uri)] : [];
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        string?[] sockets =
        [
            "/var/run/docker.sock",
            string.IsNullOrEmpty(runtimeDirectory) ? null : Path.Combine(runtimeDirectory, "docker.sock"),
            string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".docker", "run", "docker.sock"),
        ];
        return [.. sockets.Where(s => s is not null && File.Exists(s)).Select(s => new UnixDomainSocketEndPoint(s!))];
    }

    private static IEnumerable<EndPoint> FromUri(Uri uri)
    {
        if (uri.Scheme == "unix" && File.Exists(uri.AbsolutePath))
        {
            yield return new UnixDomainSocketEndPoint(uri.AbsolutePath);
        }
        else if (uri.Scheme == "tcp" && uri.Port > 0)
        {
            yield return new DnsEndPoint(uri.Host, uri.Port);
        }
    }

    private static async Task<bool> IsAnyReachableAsync(List<EndPoint> candidates)
    {
        foreach (var endPoint in candidates)
        {
            if (await PingAsync(endPoint).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<bool> PingAsync(EndPoint endPoint)
    {
        using var timeout = new CancellationTokenSource(PingTimeout);
        try
        {
            using var socket = endPoint is UnixDomainSocketEndPoint
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"u8.ToArray(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[32];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);

            // Any HTTP answer means an engine is there (a TLS-only daemon answers plain HTTP with a 400).
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("HTTP/", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return false;
        }
    }
}
