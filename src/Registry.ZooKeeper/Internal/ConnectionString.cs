using System.Globalization;
using System.Net;

namespace Registry.ZooKeeper.Internal;

/// <summary>A parsed connect string: the servers and the optional chroot.</summary>
internal sealed record ConnectionString(IReadOnlyList<DnsEndPoint> Servers, string? Chroot)
{
    public const int DefaultPort = 2181;

    /// <exception cref="ArgumentException">The string names no server, a bad port, or an invalid chroot.</exception>
    public static ConnectionString Parse(string connectString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectString);
        string? chroot = null;
        var hostsPart = connectString.Trim();
        var slash = hostsPart.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            chroot = hostsPart[slash..];
            hostsPart = hostsPart[..slash];
            if (chroot == "/")
            {
                chroot = null;
            }
            else
            {
                ZooKeeperPath.Validate(chroot, nameof(connectString));
            }
        }

        var servers = new List<DnsEndPoint>();
        foreach (var raw in hostsPart.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            servers.Add(ParseServer(raw, connectString));
        }

        if (servers.Count == 0)
        {
            throw new ArgumentException($"connect string '{connectString}' names no server", nameof(connectString));
        }

        return new ConnectionString(servers, chroot);
    }

    private static DnsEndPoint ParseServer(string raw, string connectString)
    {
        string host;
        string? port = null;
        if (raw.StartsWith('['))
        {
            var close = raw.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException($"unclosed '[' in server '{raw}' of '{connectString}'", nameof(connectString));
            }

            host = raw[1..close];
            var rest = raw[(close + 1)..];
            if (rest.Length > 0)
            {
                port = rest.StartsWith(':') ? rest[1..] : throw new ArgumentException($"bad server '{raw}' in '{connectString}'", nameof(connectString));
            }
        }
        else
        {
            var colon = raw.LastIndexOf(':');
            if (colon >= 0 && raw.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                // An IPv6 address without brackets and without a port.
                host = raw;
            }
            else if (colon >= 0)
            {
                host = raw[..colon];
                port = raw[(colon + 1)..];
            }
            else
            {
                host = raw;
            }
        }

        var portNumber = DefaultPort;
        if (port is not null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new ArgumentException($"bad port '{port}' for server '{raw}' in '{connectString}'", nameof(connectString));
        }

        if (host.Length == 0)
        {
            throw new ArgumentException($"empty host in '{connectString}'", nameof(connectString));
        }

        return new DnsEndPoint(host, portNumber);
    }
}
