using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Signs the messages of one answer to a signed request (RFC 8945 §5.3): the first covers the request's MAC, each
/// later one the MAC of the one before and only the timers (§5.3.1). ARSoft encodes and computes the MAC.
/// </summary>
internal sealed class TsigSigner(TsigKey key, byte[] requestMac, TimeProvider timeProvider)
{
    /// <summary>RFC 8945 §10 recommends 300 seconds.</summary>
    public static readonly TimeSpan Fudge = TimeSpan.FromSeconds(300);

    private byte[] _previousMac = requestMac;
    private bool _subsequent;

    /// <summary>Encodes <paramref name="message"/> with a TSIG carrying <paramref name="error"/> (NoError, or BadTime with our time in Other Data).</summary>
    public ArraySegment<byte> Sign(DnsMessageBase message, ReturnCode error = ReturnCode.NoError, DateTime? timeSigned = null)
    {
        var now = timeProvider.GetUtcNow();
        var otherData = error == ReturnCode.BadTime ? Time48(now.ToUnixTimeSeconds()) : [];
        message.TSigOptions = new TSigRecord(key.Name, key.Algorithm, timeSigned ?? now.UtcDateTime, Fudge, message.TransactionID, error, otherData, key.Secret);
        var (data, mac) = ArsoftWire.EncodeSigned(message, _previousMac, _subsequent);
        _previousMac = mac;
        _subsequent = true;
        return data;
    }

    /// <summary>Encodes a request (a NOTIFY) signed with <paramref name="key"/>: no prior MAC.</summary>
    public static ArraySegment<byte> SignRequest(DnsMessageBase message, TsigKey key, TimeProvider timeProvider)
    {
        message.TSigOptions = new TSigRecord(key.Name, key.Algorithm, timeProvider.GetUtcNow().UtcDateTime, Fudge, message.TransactionID, ReturnCode.NoError, [], key.Secret);
        return ArsoftWire.Encode(message);
    }

    /// <summary>
    /// Encodes a response to a request whose TSIG failed with BADKEY or BADSIG: unsigned, a TSIG with an empty MAC
    /// and the error (RFC 8945 §5.3.2), since a MAC made with a key the client may not share proves nothing.
    /// </summary>
    public static ArraySegment<byte> Unsigned(DnsMessageBase message, TSigRecord requestTsig, ReturnCode error)
    {
        message.TSigOptions = new TSigRecord(requestTsig.Name, requestTsig.Algorithm, requestTsig.TimeSigned, requestTsig.Fudge, message.TransactionID, error, [], null);
        return ArsoftWire.Encode(message);
    }

    private static byte[] Time48(long seconds) =>
        [(byte)(seconds >> 40), (byte)(seconds >> 32), (byte)(seconds >> 24), (byte)(seconds >> 16), (byte)(seconds >> 8), (byte)seconds];
}
