using System.Buffers.Binary;
using System.Security.Cryptography;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Verifies the TSIG of a message (RFC 8945 §5.2, in its order: key, then MAC, then time). ARSoft parses the record
/// but checks the time against the local clock before the MAC; this is the RFC's order, with the server's
/// <see cref="TimeProvider"/>, and a constant-time comparison.
/// </summary>
internal sealed class TsigVerifier(IReadOnlyList<TsigKey> keys, TimeProvider timeProvider)
{
    /// <summary>The outcome: the key (when it is known), and NoError, BadKey, BadSig or BadTime.</summary>
    public readonly record struct Verdict(TsigKey? Key, ReturnCode Error, byte[] Mac);

    /// <summary>The key called <paramref name="name"/> with <paramref name="algorithm"/>, or null.</summary>
    public TsigKey? Find(DomainName name, TSigAlgorithm algorithm)
    {
        foreach (var key in keys)
        {
            if (key.Algorithm == algorithm && key.Name.Equals(name))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>Verifies <paramref name="message"/>, whose parsed TSIG is <paramref name="tsig"/>.</summary>
    /// <param name="message">The message as received.</param>
    /// <param name="tsig">Its TSIG record, as ARSoft parsed it (name and algorithm).</param>
    /// <param name="priorMac">For a response: the MAC of the request (or of the previous message); null for a request.</param>
    /// <param name="timersOnly">For the second and later messages of a multi-message answer (RFC 8945 §5.3.1): only the timers are covered.</param>
    public Verdict Verify(ReadOnlySpan<byte> message, TSigRecord tsig, byte[]? priorMac = null, bool timersOnly = false)
    {
        if (!TsigWire.TryRead(message, out var fields))
        {
            return new Verdict(null, ReturnCode.FormatError, []);
        }

        var mac = message[fields.Mac].ToArray();
        if (Find(tsig.Name, tsig.Algorithm) is not { } key)
        {
            return new Verdict(null, ReturnCode.BadKey, mac);
        }

        var expected = ComputeMac(key, message, fields, priorMac, timersOnly);
        if (mac.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(mac, expected))
        {
            return new Verdict(key, ReturnCode.BadSig, mac);
        }

        var now = (ulong)timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var signed = fields.TimeSigned(message);
        var distance = now > signed ? now - signed : signed - now;
        return new Verdict(key, distance > fields.Fudge(message) ? ReturnCode.BadTime : ReturnCode.NoError, mac);
    }

    private static byte[] ComputeMac(TsigKey key, ReadOnlySpan<byte> message, TsigWire.Fields fields, byte[]? priorMac, bool timersOnly)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashOf(key.Algorithm), key.Secret);
        Span<byte> word = stackalloc byte[4];
        if (priorMac is not null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(word, (ushort)priorMac.Length);
            hmac.AppendData(word[..2]);
            hmac.AppendData(priorMac);
        }

        // The message as it was before signing: the original id, and one record fewer in the additional count.
        var unsigned = message[..fields.RecordStart].ToArray();
        var originalId = BinaryPrimitives.ReadUInt16BigEndian(message[(fields.Mac.End.Value)..]);
        BinaryPrimitives.WriteUInt16BigEndian(unsigned, originalId);
        BinaryPrimitives.WriteUInt16BigEndian(unsigned.AsSpan(10), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(unsigned.AsSpan(10)) - 1));
        hmac.AppendData(unsigned);

        if (!timersOnly)
        {
            // RFC 8945 §4.3.3: names in canonical form (uncompressed, lower case), class ANY, TTL 0.
            hmac.AppendData(CanonicalName(key.Name));
            BinaryPrimitives.WriteUInt16BigEndian(word, (ushort)RecordClass.Any);
            hmac.AppendData(word[..2]);
            BinaryPrimitives.WriteUInt32BigEndian(word, 0);
            hmac.AppendData(word);
            hmac.AppendData(CanonicalName(AlgorithmName(key.Algorithm)));
        }

        hmac.AppendData(message.Slice(fields.TimersStart, 8));
        if (!timersOnly)
        {
            hmac.AppendData(message[fields.ErrorStart..fields.End]);
        }

        return hmac.GetHashAndReset();
    }

    private static HashAlgorithmName HashOf(TSigAlgorithm algorithm) => algorithm switch
    {
        TSigAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        TSigAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        TSigAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        TSigAlgorithm.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unsupported TSIG algorithm"),
    };

    private static DomainName AlgorithmName(TSigAlgorithm algorithm) => algorithm switch
    {
        TSigAlgorithm.Sha1 => DomainName.Parse("hmac-sha1."),
        TSigAlgorithm.Sha256 => DomainName.Parse("hmac-sha256."),
        TSigAlgorithm.Sha384 => DomainName.Parse("hmac-sha384."),
        _ => DomainName.Parse("hmac-sha512."),
    };

    private static byte[] CanonicalName(DomainName name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.Labels)
        {
            var text = System.Text.Encoding.ASCII.GetBytes(label.ToLowerInvariant());
            bytes.Add((byte)text.Length);
            bytes.AddRange(text);
        }

        bytes.Add(0);
        return [.. bytes];
    }
}
