using Registry.Server.Dns.Transport;
using static Registry.Server.Tests.Dns.RawQuery;

namespace Registry.Server.Tests.Dns;

/// <summary>The pre-parser: what goes the fast path, and every kind of malformed input that must not.</summary>
public sealed class DnsQueryParserTests
{
    [Fact]
    public void A_plain_query_is_fast_with_its_question_read()
    {
        var message = Build("_WeB._tcp.svc.example.", Srv, id: 7);

        Assert.Equal(DnsQueryKind.Fast, DnsQueryParser.Parse(message, out var query));
        Assert.Equal(Name("_web._tcp.svc.example.").Length, query.NameLength);
        Assert.Equal(Srv, query.QType);
        Assert.Equal(1, query.QClass);
        Assert.Equal(message.Length, query.QuestionEnd);
        Assert.False(query.HasEdns);
        Assert.Equal(512, query.UdpLimit);
    }

    [Theory]
    [InlineData(4096, true, 1232)]
    [InlineData(1232, false, 1232)]
    [InlineData(800, false, 800)]
    [InlineData(100, false, 512)]
    public void Edns_0_is_fast_with_its_payload_size_and_do_bit(int payload, bool dnssecOk, int limit)
    {
        var message = Build("info.svc.example.", Txt, edns: new Edns((ushort)payload, dnssecOk, Options: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8]));

        Assert.Equal(DnsQueryKind.Fast, DnsQueryParser.Parse(message, out var query));
        Assert.True(query.HasEdns);
        Assert.Equal(dnssecOk, query.DnssecOk);
        Assert.Equal(payload, query.PayloadSize);
        Assert.Equal(limit, query.UdpLimit);
    }

    [Fact]
    public void The_root_name_is_a_plain_question() =>
        Assert.Equal(DnsQueryKind.Fast, DnsQueryParser.Parse(Build(".", 2), out _));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(11)]
    public void A_truncated_header_is_dropped(int length) =>
        Assert.Equal(DnsQueryKind.Drop, DnsQueryParser.Parse(Build("a.example.", A).AsSpan(0, length), out _));

    [Fact]
    public void A_response_is_dropped_never_answered()
    {
        var message = Build("a.example.", A);
        message[2] |= 0x80;

        Assert.Equal(DnsQueryKind.Drop, DnsQueryParser.Parse(message, out _));
    }

    public static TheoryData<string, byte[]> Malformed => new()
    {
        { "compression pointer as the question name", [.. Header(1, 0, 0, 1, 0, 0, 0), 0xC0, 0x0C, 0, 1, 0, 1] },
        { "compression pointer after a label of the question", [.. Header(1, 0, 0, 1, 0, 0, 0), 1, (byte)'a', 0xC0, 0x0C, 0, 1, 0, 1] },
        { "label type 01 (extended)", [.. Header(1, 0, 0, 1, 0, 0, 0), 0x41, .. new byte[65], 0, 0, 1, 0, 1] },
        { "label type 10 (reserved)", [.. Header(1, 0, 0, 1, 0, 0, 0), 0x81, (byte)'a', 0, 0, 1, 0, 1] },
        { "label longer than the message", [.. Header(1, 0, 0, 1, 0, 0, 0), 9, (byte)'a', (byte)'b'] },
        { "name longer than 255 octets", [.. Header(1, 0, 0, 1, 0, 0, 0), .. Name(string.Join('.', Enumerable.Repeat(new string('a', 63), 5))), 0, 1, 0, 1] },
        { "question without QTYPE and QCLASS", [.. Header(1, 0, 0, 1, 0, 0, 0), .. Name("a.example.")] },
        { "QDCOUNT 1 and no question", Header(1, 0, 0, 1, 0, 0, 0) },
        { "ARCOUNT larger than the data", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A)] },
        { "ANCOUNT larger than the data", [.. Header(1, 0, 0, 1, 3, 0, 0), .. Question("a.example.", A)] },
        { "RDLENGTH past the end", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 9, 1, 2] },
        { "trailing garbage", [.. Build("a.example.", A), 0xDE, 0xAD] },
        { "OPT option longer than RDLENGTH", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), .. Opt(new Edns(Options: [0, 10, 0, 10, 1, 2, 3, 4]))] },
        { "OPT with a partial option header", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), .. Opt(new Edns(Options: [0, 10, 0]))] },
        { "OPT whose owner is not the root", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 1, (byte)'x', 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0] },
        { "compression loop in a record's owner", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 0xC0, 27, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] },
        { "forward compression pointer", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 0xC0, 40, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] },
        { "pointer into the header", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 0xC0, 2, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0] },
        { "second question truncated", [.. Header(1, 0, 0, 2, 0, 0, 0), .. Question("a.example.", A), 1, (byte)'b'] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_messages_are_formerr_without_further_parsing(string what, byte[] message)
    {
        Assert.True(DnsQueryParser.Parse(message, out _) == DnsQueryKind.Malformed, what);
    }

    public static TheoryData<string, byte[]> SlowOnes => new()
    {
        { "QDCOUNT 0", Header(1, 0, 0, 0, 0, 0, 0) },
        { "QDCOUNT 2", [.. Header(1, 0, 0, 2, 0, 0, 0), .. Question("a.example.", A), .. Question("b.example.", A)] },
        { "two OPT records", [.. Header(1, 0, 0, 1, 0, 0, 2), .. Question("a.example.", A), .. Opt(new Edns()), .. Opt(new Edns())] },
        { "EDNS version 1", Build("a.example.", A, edns: new Edns(Version: 1)) },
        { "opcode NOTIFY", Build("a.example.", 6, opcode: 4) },
        { "opcode STATUS", Build("a.example.", A, opcode: 2) },
        { "a record in the answer section", [.. Header(1, 0, 0, 1, 1, 0, 0), .. Question("a.example.", A), 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0, 0, 1] },
        { "an A record in additional (backward pointer)", [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 0, 0, 1] },
        { "a space in a label", Build("a b.example.", A) },
        { "a byte above ASCII in a label", [.. Header(1, 0, 0, 1, 0, 0, 0), 1, 0xC9, .. Name("example."), 0, 1, 0, 1] },
    };

    [Theory]
    [MemberData(nameof(SlowOnes))]
    public void Well_formed_but_unusual_messages_take_the_slow_path(string what, byte[] message)
    {
        Assert.True(DnsQueryParser.Parse(message, out _) == DnsQueryKind.Slow, what);
    }

    [Theory]
    [InlineData(252)]
    [InlineData(251)]
    public void Zone_transfers_are_special(int type) =>
        Assert.Equal(DnsQueryKind.Special, DnsQueryParser.Parse(Build("svc.example.", (ushort)type), out _));

    [Fact]
    public void A_tsig_record_in_additional_makes_any_query_special()
    {
        byte[] tsig = [.. Name("key."), 0, 250, 0, 255, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
        byte[] message = [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("a.example.", A), .. tsig];

        Assert.Equal(DnsQueryKind.Special, DnsQueryParser.Parse(message, out var query));
        Assert.True(query.Signed);
    }

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(42);
        var seed = Build("_web._tcp.svc.example.", Srv, edns: new Edns());
        for (var i = 0; i < 100_000; i++)
        {
            byte[] message;
            if (i % 2 == 0)
            {
                message = new byte[random.Next(0, 300)];
                random.NextBytes(message);
            }
            else
            {
                message = (byte[])seed.Clone();
                message[random.Next(message.Length)] = (byte)random.Next(256);
                message = message[..random.Next(message.Length + 1)];
            }

            DnsQueryParser.Parse(message, out _);
        }
    }
}
