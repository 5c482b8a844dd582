using System.Diagnostics.CodeAnalysis;
using System.Net;
using ARSoft.Tools.Net;

namespace Registry.Server.Dns.Transfer;

/// <summary>A secondary to NOTIFY (<c>--dns-notify</c> entry <c>ip:port[@key]</c>), and the TSIG key to sign with, if any.</summary>
internal sealed record NotifyTarget(IPEndPoint Endpoint, DomainName? KeyName)
{
    /// <summary>Parses <c>ip:port</c> or <c>ip:port@keyname</c> (IPv6 as <c>[::1]:53</c>).</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out NotifyTarget? target)
    {
        target = null;
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var endpointText = at < 0 ? text : text[..at];
        DomainName? key = null;
        if (at >= 0 && (!DomainName.TryParse(text[(at + 1)..], out key) || key!.LabelCount == 0))
        {
            return false;
        }

        if (!IPEndPoint.TryParse(endpointText, out var endpoint) || endpoint.Port == 0 || !endpointText.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        target = new NotifyTarget(endpoint, key);
        return true;
    }

    public override string ToString() => KeyName is null ? Endpoint.ToString() : $"{Endpoint}@{KeyName}";
}
