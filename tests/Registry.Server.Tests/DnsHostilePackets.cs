using System.Buffers.Binary;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Tests;

/// <summary>
/// Malformed DNS queries for the hostile-input tests: one hand-made packet per known way to get a parser wrong, and a
/// seeded stream of random and mutated ones.
/// </summary>
internal static class DnsHostilePackets
{
    /// <summary>A well-formed query for <paramref name="name"/>, optionally with an OPT record.</summary>
    public static byte[] Query(string name, RecordType type, ushort id = 0x5151, bool edns = false)
    {
        var query = new DnsMessage { TransactionID = id, IsRecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        if (edns)
        {
            query.IsEDnsEnabled = true;
        }

        return [.. ArsoftWire.Encode(query)];
    }

    /// <summary>Each classic malformation, by name (for the failure message).</summary>
    public static IEnumerable<(string Name, byte[] Packet)> Crafted()
    {
        var valid = Query("_web._tcp.svc.example.", RecordType.Srv);

        yield return ("empty", []);
        yield return ("truncated header", valid[..7]);
        yield return ("header only, QDCOUNT 1", valid[..12]);
        yield return ("QDCOUNT 0", WithCount(valid, 4, 0));
        yield return ("QDCOUNT 2, one question", WithCount(valid, 4, 2));
        yield return ("QDCOUNT 65535", WithCount(valid, 4, ushort.MaxValue));
        yield return ("ANCOUNT larger than the data", WithCount(valid, 6, 40));
        yield return ("ARCOUNT larger than the data", WithCount(valid, 10, 3));
        yield return ("trailing garbage", [.. valid, 0xde, 0xad, 0xbe, 0xef]);
        yield return ("question cut in the name", valid[..20]);
        yield return ("question without type and class", valid[..^4]);

        // A label claims more bytes than follow; a label of 64 (only 0-63 are lengths, 64-191 are reserved).
        var longLabel = (byte[])valid.Clone();
        longLabel[12] = 60;
        yield return ("label longer than the packet", longLabel);
        var reserved = (byte[])valid.Clone();
        reserved[12] = 64;
        yield return ("reserved label type 0x40", reserved);

        // The name points at itself, and two names point at each other.
        yield return ("compression pointer to itself", Header(1, 0, 0, 0).Concat(new byte[] { 0xC0, 12, 0, 1, 0, 1 }).ToArray());
        yield return ("compression loop of two", Header(1, 0, 0, 0).Concat(new byte[] { 1, (byte)'a', 0xC0, 12, 0, 1, 0, 1 }).ToArray());
        yield return ("compression pointer past the end", Header(1, 0, 0, 0).Concat(new byte[] { 0xC0, 0xFF, 0, 1, 0, 1 }).ToArray());

        // A name longer than 255 octets in 63-octet labels.
        var huge = new List<byte>(Header(1, 0, 0, 0));
        for (var i = 0; i < 5; i++)
        {
            huge.Add(63);
            huge.AddRange(Enumerable.Repeat((byte)'a', 63));
        }

        huge.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        yield return ("name over 255 octets", [.. huge]);

        // EDNS oddities: version 1 (BADVERS), two OPTs, an option longer than its record, OPT not at the root.
        // The OPT record ends the packet: root (1), type 41 (2), payload size (2), extended rcode (1), version (1),
        // flags (2), RDLENGTH 0 (2).
        var edns = Query("_web._tcp.svc.example.", RecordType.Srv, edns: true);
        if (edns[^11] != 0 || BinaryPrimitives.ReadUInt16BigEndian(edns.AsSpan(edns.Length - 10)) != 41 || edns[^2] != 0 || edns[^1] != 0)
        {
            throw new InvalidOperationException("ARSoft no longer encodes a bare OPT last; the EDNS cases below would test something else");
        }

        var version1 = (byte[])edns.Clone();
        version1[^5] = 1;
        yield return ("EDNS version 1", version1);
        var twoOpts = WithCount([.. edns, .. edns[^11..]], 10, 2);
        yield return ("two OPT records", twoOpts);
        var badOption = (byte[])edns.Clone();
        badOption[^2] = 0;
        badOption[^1] = 8; // RDLENGTH 8 with no option data behind it
        yield return ("OPT RDLENGTH past the end", badOption);
        var optWithOption = WithCount([.. edns[..^2], 0, 4, 0, 10, 0, 40], 10, 1); // cookie option claiming 40 bytes in 4
        yield return ("OPT option longer than the record", optWithOption);

        // Not a query: a response (must never be answered: that is how reflection loops start), and other opcodes.
        var response = (byte[])valid.Clone();
        response[2] |= 0x80;
        yield return ("QR set", response);
        var update = (byte[])valid.Clone();
        update[2] = (byte)((update[2] & 0x87) | (5 << 3));
        yield return ("opcode UPDATE", update);
        var reservedOpcode = (byte[])valid.Clone();
        reservedOpcode[2] = (byte)((reservedOpcode[2] & 0x87) | (15 << 3));
        yield return ("opcode 15", reservedOpcode);
        yield return ("class CHAOS", WithUShortAt(valid, valid.Length - 2, 3));
        yield return ("type 0", WithUShortAt(valid, valid.Length - 4, 0));
    }

    /// <summary>
    /// <paramref name="count"/> packets from <paramref name="seed"/>: a third random bytes, the rest valid queries with
    /// one to four mutations each (byte replaced, bit flipped, cut, extended, a count field rewritten).
    /// </summary>
    public static IEnumerable<byte[]> Random(int seed, int count)
    {
        var random = new Random(seed);
        byte[][] seeds =
        [
            Query("_web._tcp.svc.example.", RecordType.Srv),
            Query("_web._tcp.svc.example.", RecordType.Srv, edns: true),
            Query("ap1.hosts.svc.example.", RecordType.A),
            Query("nope.svc.example.", RecordType.Txt, edns: true),
            Query("svc.example.", RecordType.Any),
            Query("svc.example.", RecordType.Axfr),
        ];
        for (var i = 0; i < count; i++)
        {
            if (i % 3 == 0)
            {
                var junk = new byte[random.Next(0, 700)];
                random.NextBytes(junk);
                yield return junk;
                continue;
            }

            var packet = new List<byte>(seeds[random.Next(seeds.Length)]);
            for (var mutations = random.Next(1, 5); mutations > 0 && packet.Count > 0; mutations--)
            {
                var at = random.Next(packet.Count);
                switch (random.Next(5))
                {
                    case 0:
                        packet[at] = (byte)random.Next(256);
                        break;
                    case 1:
                        packet[at] ^= (byte)(1 << random.Next(8));
                        break;
                    case 2:
                        packet.RemoveRange(at, packet.Count - at);
                        break;
                    case 3:
                        packet.AddRange(Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)random.Next(256)));
                        break;
                    default:
                        if (packet.Count >= 12)
                        {
                            var field = 4 + (2 * random.Next(4));
                            packet[field] = (byte)random.Next(3);
                            packet[field + 1] = (byte)random.Next(4);
                        }

                        break;
                }
            }

            yield return [.. packet];
        }
    }

    private static byte[] Header(ushort qd, ushort an, ushort ns, ushort ar)
    {
        var header = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, 0x4242);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), qd);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), an);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(8), ns);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(10), ar);
        return header;
    }

    private static byte[] WithCount(byte[] packet, int offset, ushort value) => WithUShortAt(packet, offset, value);

    private static byte[] WithUShortAt(byte[] packet, int offset, ushort value)
    {
        var copy = (byte[])packet.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(offset), value);
        return copy;
    }
}
