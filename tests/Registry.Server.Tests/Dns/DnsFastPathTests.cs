using System.Text;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.View;
using Registry.Server.Dns;
using Registry.Server.Dns.Transport;
using Registry.Server.Dns.Wire;
using static Registry.Server.Tests.Dns.DnsTestView;
using static Registry.Server.Tests.Dns.RawQuery;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// The answer cache against the slow path: for every query the fast path's bytes are the slow path's bytes (the id,
/// RD/CD and the question's case patched in), whether the answer was just built or cached, full or truncated.
/// </summary>
public sealed class DnsFastPathTests : IDisposable
{
    /// <summary>A zone whose answers do not fit 512 bytes (TXT) or 1232 either (SRV).</summary>
    private static readonly string BigZone = new StringBuilder()
        .AppendLine("$ORIGIN big.example.")
        .AppendLine("$TTL 60")
        .AppendLine("@ IN SOA ns hostmaster 1 3600 600 86400 30")
        .AppendLine("  IN NS ns")
        .AppendLine("ns IN A 192.0.2.1")
        .AppendJoin(string.Empty, Enumerable.Range(0, 20).Select(i => $"txt IN TXT \"record number {i:D2} with some padding\"\n"))
        .AppendJoin(string.Empty, Enumerable.Range(0, 40).Select(i => $"_big._tcp IN SRV 10 10 80 target-{i:D2}.hosts\n"))
        .AppendJoin(string.Empty, Enumerable.Range(0, 40).Select(i => $"target-{i:D2}.hosts IN A 10.7.0.{i + 1}\n"))
        .ToString();

    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions { DynamicTtl = 7 });
    private readonly DnsTransportCounters _counters = new();
    private ViewSnapshot _view;

    public DnsFastPathTests()
    {
        var zones = _test.Zones(("svc.example.zone", SvcZone), ("other.example.zone", OtherZone), ("big.example.zone", BigZone));
        _view = View(zones, Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.3", 4070)]), (Api, [Instance(Api, "i1", "2001:db8::2", 9000)])));
    }

    public void Dispose() => _test.Dispose();

    public static TheoryData<bool> Transports => [false, true];

    [Theory]
    [MemberData(nameof(Transports))]
    public void Fast_path_bytes_equal_the_slow_path_and_the_responder_for_every_query(bool tcp)
    {
        var processor = Processor();
        string[] names =
        [
            "svc.example.", "_web._tcp.svc.example.", "_ldap._tcp.svc.example.", "ap1.hosts.svc.example.", "ldap1.hosts.svc.example.",
            "info.svc.example.", "alias.svc.example.", "alias2.svc.example.", "outside.svc.example.", "loop1.svc.example.",
            "mail.svc.example.", "x.wild.svc.example.", "a.b.wild.svc.example.", "sub.svc.example.", "deep.sub.svc.example.",
            "ns1.svc.example.", "web.svc.example.", "x3.web.svc.example.", "api.svc.example.", "i1.api.svc.example.",
            "nope.svc.example.", "hosts.svc.example.", "other.example.", "_web._tcp.other.example.", "www.example.org.", ".",
            "big.example.", "txt.big.example.", "_big._tcp.big.example.", "*.wild.svc.example.",
        ];
        ushort[] types = [1, 28, 33, 16, 5, 15, 2, 6, 12, 43, 255, 99, 41, 250, 253];
        ushort[] classes = [1, 255, 3];
        Edns?[] ednsVariants = [null, new Edns(), new Edns(4096, DnssecOk: true), new Edns(512), new Edns(100), new Edns(900, Options: [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8])];
        var random = new Random(11);
        var compared = 0;
        foreach (var name in names)
        {
            foreach (var type in types)
            {
                foreach (var recordClass in type == 1 ? classes : [1])
                {
                    foreach (var edns in ednsVariants)
                    {
                        // The lower-case query fills the cache; the others hit it, spelled otherwise, with other ids and flags.
                        foreach (var spelling in new[] { name, RandomCase(name, random), name.ToUpperInvariant() })
                        {
                            var query = Build(spelling, type, recordClass, (ushort)random.Next(65536), rd: random.Next(2) == 0, cd: random.Next(2) == 0, edns: edns);
                            AssertSame(processor, query, tcp);
                            compared++;
                        }
                    }
                }
            }
        }

        Assert.True(_counters.FastHits > compared / 2, $"{_counters}");
        Assert.True(tcp ? _counters.Truncated == 0 : _counters.Truncated > 0, $"over {(tcp ? "TCP nothing is" : "UDP some answers are")} truncated: {_counters}");
    }

    [Fact]
    public void An_answer_over_512_bytes_is_truncated_without_edns_and_complete_with_it_or_over_tcp()
    {
        var processor = Processor();

        var plain = Reply(processor, Build("txt.big.example.", Txt), tcp: false);
        var edns = Reply(processor, Build("txt.big.example.", Txt, edns: new Edns()), tcp: false);
        var tcp = Reply(processor, Build("txt.big.example.", Txt), tcp: true);

        Assert.True(plain.IsTruncated);
        Assert.Empty(plain.AnswerRecords);
        Assert.Equal("txt.big.example.", plain.Questions.Single().Name.ToString());
        Assert.False(edns.IsTruncated);
        Assert.Equal(20, edns.AnswerRecords.Count);
        Assert.False(tcp.IsTruncated);
        Assert.Equal(20, tcp.AnswerRecords.Count);

        var big = Reply(processor, Build("_big._tcp.big.example.", Srv, edns: new Edns(4096)), tcp: false);
        Assert.True(big.IsTruncated);
        Assert.NotNull(big.EDnsOptions);
        Assert.Equal(40, Reply(processor, Build("_big._tcp.big.example.", Srv, edns: new Edns(4096)), tcp: true).AnswerRecords.Count);
    }

    [Fact]
    public void A_cached_answer_is_served_without_allocating()
    {
        var processor = Processor();
        var query = Build("_WEB._tcp.svc.example.", Srv, edns: new Edns());
        var buffer = new byte[DnsQueryProcessor.MaxMessageLength];
        void Serve()
        {
            var reply = processor.Answer(query, tcp: false, out var parsed);
            reply.WriteTo(buffer, query, parsed);
        }

        Serve(); // builds the cache entry
        Serve();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Serve();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_new_snapshot_gets_a_new_cache_and_answers_from_it_once_indexed()
    {
        var processor = Processor();
        var query = Build("x3.web.svc.example.", A);
        Assert.Equal("10.0.0.3", ((ARecord)Reply(processor, query, false).AnswerRecords.Single()).Address.ToString());
        var first = processor.Cache;

        _view = View(_view.Zones, Registered(6, (Web, [Instance(Web, "x3", "10.0.0.33", 4070)])), previous: _view);

        // The new snapshot is indexed off the query path; until then the old index (and its cache) answers.
        Assert.True(
            SpinWait.SpinUntil(() => ((ARecord)Reply(processor, query, false).AnswerRecords.Single()).Address.ToString() == "10.0.0.33", TimeSpan.FromSeconds(30)),
            "the new snapshot's answer was never served");
        Assert.NotSame(first, processor.Cache);
        Assert.Same(_view, processor.Cache!.View);
    }

    [Fact]
    public void A_full_cache_answers_new_names_uncached()
    {
        var processor = Processor(capacity: 3);

        for (var i = 0; i < 50; i++)
        {
            var reply = Reply(processor, Build($"random{i}.svc.example.", A), tcp: false);
            Assert.Equal(ReturnCode.NxDomain, reply.ReturnCode);
        }

        Assert.Equal(3, processor.Cache!.Count);
        Assert.Equal(ReturnCode.NxDomain, Reply(processor, Build("random1.svc.example.", A), tcp: false).ReturnCode);
    }

    [Fact]
    public void Malformed_messages_get_formerr_with_the_id_and_responses_get_nothing()
    {
        var processor = Processor();
        byte[] trailing = [.. Build("info.svc.example.", Txt, id: 0xABCD, rd: true), 1, 2, 3];

        var formErr = Reply(processor, trailing, tcp: false);
        Assert.Equal(ReturnCode.FormatError, formErr.ReturnCode);
        Assert.Equal(0xABCD, formErr.TransactionID);
        Assert.True(formErr.IsRecursionDesired);
        Assert.Equal("info.svc.example.", formErr.Questions.Single().Name.ToString());

        var response = Build("info.svc.example.", Txt);
        response[2] |= 0x80;
        Assert.Equal(DnsReplyKind.None, processor.Answer(response, tcp: false, out _).Kind);

        byte[] twoOpts = [.. Header(9, 0, 0, 1, 0, 0, 2), .. Question("info.svc.example.", Txt), .. Opt(new Edns()), .. Opt(new Edns())];
        Assert.Equal(ReturnCode.FormatError, Reply(processor, twoOpts, tcp: false).ReturnCode);
        Assert.Equal(ReturnCode.BadVersion, Reply(processor, Build("info.svc.example.", Txt, edns: new Edns(Version: 1)), tcp: false).ReturnCode);
        Assert.Equal(ReturnCode.NotImplemented, Reply(processor, Build("info.svc.example.", Txt, opcode: 2), tcp: false).ReturnCode);
    }

    [Fact]
    public void Transfers_and_tsig_go_to_the_handler_or_are_refused_and_notauth_without_one()
    {
        byte[] signed = [.. Header(1, 0, 0, 1, 0, 0, 1), .. Question("info.svc.example.", Txt), .. Name("key."), 0, 250, 0, 255, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4];
        var axfr = Build("svc.example.", 252);

        var without = Processor();
        Assert.Equal(ReturnCode.Refused, Reply(without, axfr, tcp: true).ReturnCode);
        Assert.Equal(ReturnCode.NotAuthoritive, Reply(without, signed, tcp: false).ReturnCode);

        var with = Processor(special: true);
        Assert.Equal(DnsReplyKind.Special, with.Answer(axfr, tcp: true, out _).Kind);
        Assert.Equal(DnsReplyKind.Special, with.Answer(signed, tcp: false, out _).Kind);
    }

    [Fact]
    public void Answers_that_a_registration_change_does_not_touch_are_carried_to_the_next_index()
    {
        var processor = Processor();
        var api = Build("i1.api.svc.example.", Aaaa);
        var web = Build("x3.web.svc.example.", A);
        var missing = Build("nope.svc.example.", A);
        foreach (var query in new[] { api, web, missing })
        {
            Bytes(processor, query, false);
        }

        var misses = _counters.FastMisses;

        // Only web changes: api's answer is carried, web's is made again, and the NXDOMAIN is carried with the new serial.
        _view = View(_view.Zones, Registered(6, (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.33", 4070)]), (Api, [Instance(Api, "i1", "2001:db8::2", 9000)])), previous: _view);
        Assert.True(
            SpinWait.SpinUntil(() => ((ARecord)Reply(processor, web, false).AnswerRecords.Single()).Address.ToString() == "10.0.0.33", TimeSpan.FromSeconds(30)),
            "the new snapshot's answer was never served");
        var afterWeb = _counters.FastMisses;
        Assert.Equal("2001:db8::2", ((AaaaRecord)Reply(processor, api, false).AnswerRecords.Single()).Address.ToString());
        Assert.Equal(afterWeb, _counters.FastMisses); // carried, not made again
        var negative = Reply(processor, missing, false);
        Assert.Equal(afterWeb, _counters.FastMisses);
        Assert.Equal(ReturnCode.NxDomain, negative.ReturnCode);
        Assert.Equal(_view.Serial(Origin), ((SoaRecord)negative.AuthorityRecords.Single()).SerialNumber);
        Assert.True(afterWeb > misses, "web's answer was made again for the new index");
    }

    private DnsQueryProcessor Processor(int capacity = DnsAnswerCache.DefaultCapacity, bool special = false) =>
        new(() => _view, _responder, _counters, NullLogger.Instance, special, capacity);

    private static DnsMessage Reply(DnsQueryProcessor processor, byte[] query, bool tcp) => DnsMessage.Parse(Bytes(processor, query, tcp));

    private static byte[] Bytes(DnsQueryProcessor processor, byte[] query, bool tcp)
    {
        var reply = processor.Answer(query, tcp, out var parsed);
        Assert.Equal(DnsReplyKind.Bytes, reply.Kind);
        var bytes = new byte[reply.Length];
        reply.WriteTo(bytes, query, parsed);
        return bytes;
    }

    private void AssertSame(DnsQueryProcessor processor, byte[] query, bool tcp)
    {
        Assert.Equal(DnsQueryKind.Fast, DnsQueryParser.Parse(query, out var parsed));
        var fast = Bytes(processor, query, tcp);

        var slowReply = processor.Slow(query, tcp, parsed);
        var slow = new byte[slowReply.Length];
        slowReply.WriteTo(slow, query, parsed);
        Assert.True(fast.AsSpan().SequenceEqual(slow), $"fast and slow paths differ for {Convert.ToHexString(query)}:\n{Convert.ToHexString(fast)}\n{Convert.ToHexString(slow)}");

        // The ground truth: the responder's answer to ARSoft's parse, as encoded before the fast path existed.
        var direct = ArsoftWire.Encode(_responder.Respond(DnsMessage.Parse(query), _view));
        if (!(fast[2] is var flags && (flags & 0x02) != 0))
        {
            Assert.True(fast.AsSpan().SequenceEqual(direct), $"the fast path differs from the responder for {Convert.ToHexString(query)}");
        }
        else
        {
            Assert.True(direct.Count > (tcp ? 65535 : parsed.UdpLimit), "truncated only when the answer does not fit");
        }
    }

    private static string RandomCase(string name, Random random) =>
        string.Concat(name.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c));
}
