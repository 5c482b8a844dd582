using System.Runtime.CompilerServices;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns.Wire;

/// <summary>
/// ARSoft.Tools.Net's own wire encoding of a message, which the library keeps internal (3.6.1 exposes only
/// <see cref="DnsMessage.Parse(ArraySegment{byte})"/>). Encoding every record type, name compression and TSIG signing
/// correctly is exactly what the library is for, so the facade reaches it through <see cref="UnsafeAccessorAttribute"/>
/// (bound by the JIT, no reflection per call) instead of re-implementing RDATA encoding for every type.
/// </summary>
/// <remarks>
/// The accessors are pinned to the package version in Directory.Packages.props; <c>ArsoftWireTests</c> fails
/// (MissingMethodException) before anything else if an upgrade renames them.
/// </remarks>
internal static class ArsoftWire
{
    /// <summary>
    /// Encodes <paramref name="message"/> to wire format, without the TCP length prefix. When the message carries
    /// <see cref="DnsMessageBase.TSigOptions"/> with key data, ARSoft signs it.
    /// </summary>
    public static ArraySegment<byte> Encode(DnsMessageBase message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return EncodeRaw(message).ToArraySegment(false);
    }

    /// <summary>
    /// Encodes a signed message of a multi-message answer (AXFR, RFC 8945 §5.3.1): <paramref name="previousMac"/> is
    /// the request's MAC for the first message, then the previous message's; <paramref name="subsequent"/> is true for
    /// every message after the first. Returns the bytes and the new MAC.
    /// </summary>
    public static (ArraySegment<byte> Data, byte[] Mac) EncodeSigned(DnsMessageBase message, byte[]? previousMac, bool subsequent)
    {
        ArgumentNullException.ThrowIfNull(message);
        var raw = EncodeSignedRaw(message, previousMac, subsequent, out var mac);
        return (raw.ToArraySegment(false), mac);
    }

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Encode")]
    private static extern DnsRawPackage EncodeRaw(DnsMessageBase message);

    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Encode")]
    private static extern DnsRawPackage EncodeSignedRaw(DnsMessageBase message, byte[]? originalMac, bool isSubSequentResponse, out byte[] newMac);
}
