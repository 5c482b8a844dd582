using System.Diagnostics.CodeAnalysis;
using System.Net;
using ARSoft.Tools.Net;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Who may transfer zones (<c>--dns-transfer-allow</c>): peers whose address is in one of the networks, and any peer
/// whose request is signed with one of the named TSIG keys. Empty (the default) refuses every transfer.
/// </summary>
internal sealed class TransferAccess
{
    public static TransferAccess None { get; } = new([], []);

    public TransferAccess(IReadOnlyList<IPNetwork> networks, IReadOnlyList<DomainName> keys)
    {
        Networks = networks;
        Keys = keys;
    }

    public IReadOnlyList<IPNetwork> Networks { get; }

    /// <summary>The names of the TSIG keys that open transfers.</summary>
    public IReadOnlyList<DomainName> Keys { get; }

    /// <summary>True when <paramref name="peer"/> may transfer, given the key that verified its request (null when unsigned).</summary>
    public bool Allows(IPAddress peer, TsigKey? key)
    {
        if (key is not null && Keys.Contains(key.Name))
        {
            return true;
        }

        // An IPv4 peer may arrive on a dual-stack socket as ::ffff:a.b.c.d; the allow-list says a.b.c.d.
        var address = peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer;
        foreach (var network in Networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses the comma-separated entries: an address (<c>192.0.2.1</c>, a /32 or /128), a network
    /// (<c>10.0.0.0/8</c>), or <c>key:NAME</c>; every bad entry is reported.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out TransferAccess? access, out List<string> errors)
    {
        errors = [];
        var networks = new List<IPNetwork>();
        var keys = new List<DomainName>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.StartsWith("key:", StringComparison.OrdinalIgnoreCase))
            {
                if (DomainName.TryParse(entry[4..], out var name) && name!.LabelCount > 0)
                {
                    keys.Add(name);
                }
                else
                {
                    errors.Add($"'{entry}' does not name a key (key:NAME)");
                }
            }
            else if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(new IPNetwork(address, address.GetAddressBytes().Length * 8));
            }
            else
            {
                errors.Add($"'{entry}' is not an address, a network (CIDR like 10.0.0.0/8) or key:NAME");
            }
        }

        access = errors.Count == 0 ? new TransferAccess(networks, keys) : null;
        return access is not null;
    }
}
