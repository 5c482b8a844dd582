using System.Net;
using System.Net.Sockets;

namespace Registry.ZooKeeper.Internal;

/// <summary>
/// Hands out servers in a shuffled round-robin (so clients spread over the ensemble), resolving names at each
/// attempt so that a server that moved is found again.
/// </summary>
internal sealed class HostProvider
{
    private readonly DnsEndPoint[] _servers;
    private int _next;

    public HostProvider(IReadOnlyList<DnsEndPoint> servers)
    {
        _servers = [.. servers];
        Random.Shared.Shuffle(_servers);
    }

    public int Count => _servers.Length;

    public IReadOnlyList<DnsEndPoint> Servers => _servers;

    /// <summary>Makes <paramref name="server"/> the next one tried (a read-write server found while on a read-only one).</summary>
    public void PreferNext(DnsEndPoint server)
    {
        var index = Array.IndexOf(_servers, server);
        if (index >= 0)
        {
            _next = index;
        }
    }

    /// <summary>True when the next server starts a new round through the list.</summary>
    public bool AtRoundStart => _next % _servers.Length == 0;

    /// <summary>The next server; a name is resolved to one of its addresses, chosen at random.</summary>
    /// <exception cref="SocketException">The name does not resolve.</exception>
    public async Task<(DnsEndPoint Server, IPEndPoint Address)> NextAsync(CancellationToken cancellationToken)
    {
        var server = _servers[_next % _servers.Length];
        _next = (_next + 1) % _servers.Length;
        if (IPAddress.TryParse(server.Host, out var address))
        {
            return (server, new IPEndPoint(address, server.Port));
        }

        var addresses = await Dns.GetHostAddressesAsync(server.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        return (server, new IPEndPoint(addresses[Random.Shared.Next(addresses.Length)], server.Port));
    }
}
