using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Testing;
using Xunit.Abstractions;

namespace Registry.Server.Tests.Peers;

/// <summary>
/// Legacy fidelity (issue 4 §4): one static zone file served by BIND 9 (named, primary) and by registry-server (the
/// same file in its zones directory, a real ZooKeeper, no registrations), asked the same generated queries over UDP;
/// every difference in rcode, AA, TC, RA, EDNS and the answer, authority and additional sections (as sets of canonical
/// records: owner lower-cased, TTL, class, type, rdata) is reported at once, query by query.
/// </summary>
/// <remarks>
/// <para>
/// Settings of the comparison: named runs with its defaults for an authoritative-only server (<c>recursion no</c>, so
/// <c>minimal-responses</c> is its default <c>no-auth-recursive</c> and <c>minimal-any</c> its default <c>no</c>). Queries
/// are sent with RD set, as stub resolvers and dig send them, with and without an EDNS OPT (1232 bytes).
/// </para>
/// <para>Justified exclusions, each with the RFC that allows the facade's answer; every other field is compared exactly:</para>
/// <list type="bullet">
/// <item>With RD clear, BIND's <c>no-auth-recursive</c> adds the apex NS set to the authority section of positive
/// answers (and its glue to additional). RFC 1034 §6.2.1 shows authoritative answers with empty authority, and the facade
/// keeps responses minimal for every query; this is pinned by
/// <see cref="With_rd_clear_bind_adds_the_apex_ns_set_to_positive_answers_and_the_facade_does_not"/> rather than compared.</item>
/// <item>ANY: BIND 9.18 returns every RRset of the name, without additional data; the facade returns one (RFC 8482
/// §4.2) with that RRset's additional data (RFC 1035 §3.3 leaves it to the server). For ANY the facade's answer must be
/// exactly one whole RRset of BIND's (and empty when BIND's is); rcode, flags and authority are compared as usual.</item>
/// <item>A negative answer to a QTYPE=SOA question: BIND gives the SOA in authority TTL 0 (its own policy, so that the
/// record is not cached as if it answered the question); the facade gives it the RFC 2308 §3 negative TTL, min(SOA TTL,
/// MINIMUM). Both TTLs are checked; the rest of the record is compared.</item>
/// <item>Truncated responses (TC set by both): only the header is compared. RFC 2181 §9 has clients ignore a truncated
/// response's content and retry over TCP; BIND fills it with a rotated part of the RRset, ARSoft with its first records.</item>
/// <item>Case of names inside RDATA, for questions in mixed case: the facade's encoder (ARSoft's) compresses names
/// case-insensitively, so an RDATA name sharing a suffix with the question takes the question's spelling
/// (<c>ns1.FIDELITY.EXAMPLE.</c> where the file says <c>ns1.fidelity.example.</c>), where BIND compresses
/// case-sensitively and keeps the file's. Names are equal whatever their case (RFC 4343 §3), so for those questions
/// records are compared case-insensitively; the question's own case must still be echoed exactly. RFC 4343 §4.1 asks
/// servers to preserve case; this belongs to the wire encoder, not the answer engine.</item>
/// </list>
/// </remarks>
public sealed class BindFidelityTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>
    /// Rich enough to matter: SOA, apex NS with in-zone glue and an outside server, MX, TXT with several strings,
    /// quotes, escapes and non-ASCII octets, CAA, NAPTR, HINFO, PTR, several SRV sets (a target in mixed case, one
    /// outside), CNAME chains inside the zone, one leaving it, one dangling, one to an SRV owner, wildcards (one of
    /// them a CNAME), a delegation with glue, empty non-terminals, mixed TTLs (one RRset with differing TTLs), a TXT
    /// RRset too large for 512 bytes (TC without EDNS), a second $ORIGIN and $TTL.
    /// </summary>
    public const string ZoneText = """
        $ORIGIN fidelity.example.
        $TTL 3600
        @           IN SOA  ns1 hostmaster ( 2024060101 7200 900 1209600 300 )
                    IN NS   ns1
                    IN NS   ns2
                    IN NS   ns.outside.example.
                    IN MX   10 mail
                    IN MX   20 mx.outside.example.
                    IN TXT  "v=spf1 mx -all"
                    IN CAA  0 issue "letsencrypt.org"
                    IN CAA  128 iodef "mailto:security@fidelity.example"
        ns1         IN A    192.0.2.1
                    IN AAAA 2001:db8::1
        ns2   600   IN A    192.0.2.2
        mail        IN A    192.0.2.25
        www   300   IN A    192.0.2.80
                    IN A    192.0.2.81
              120   IN AAAA 2001:db8::80
        _http._tcp  IN SRV  10 60 80 www
                    IN SRV  10 40 8080 Web2.Hosts
                    IN SRV  20 0 80 backup.outside.example.
        _ldap._tcp  120 IN SRV 0 0 389 ldap.hosts
        _sip._udp   IN SRV  5 5 5060 sip.hosts
        _metrics._tcp.www IN SRV 0 0 9100 www
        sip         IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp
                    IN NAPTR 102 10 "S" "SIP+D2T" "" _sip._tcp
        txt         IN TXT  "hello world" "second \"quoted\" string" "semi;colon" "back\\slash"
                    IN TXT  "another record"
                    IN TXT  "byte\200\255end"
        alias       IN CNAME www
        alias2      IN CNAME alias
        outside     IN CNAME www.outside.example.
        srvalias    IN CNAME _http._tcp
        dangling    IN CNAME gone
        *.wild      IN A    192.0.2.99
                    IN TXT  "wildcard"
                    IN MX   5 mail
        *.cn        IN CNAME www
        deleg       IN NS   ns.deleg
                    IN NS   ns.outside.example.
        ns.deleg    IN A    192.0.2.53
        a.b.c.ent   IN A    192.0.2.7
        1.rev       IN PTR  www
        info        IN HINFO "x86" "Linux"
        big         IN TXT  "00 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "01 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "02 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "03 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "04 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "05 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "06 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "07 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "08 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "09 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "10 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        big         IN TXT  "11 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        $TTL 60
        $ORIGIN hosts.fidelity.example.
        web2        IN A    192.0.2.82
        ldap        IN A    192.0.2.83
                    IN AAAA 2001:db8::83
        sip   30    IN A    192.0.2.84

        """;

    private const string Origin = "fidelity.example.";

    /// <summary>Every owner of the zone, its empty non-terminals, and names below them.</summary>
    private static readonly string[] Existing =
    [
        "", "ns1", "ns2", "mail", "www", "_http._tcp", "_tcp", "_ldap._tcp", "_sip._udp", "_udp", "_metrics._tcp.www", "_tcp.www",
        "sip", "txt", "alias", "alias2", "outside", "srvalias", "dangling", "*.wild", "wild", "*.cn", "cn", "deleg", "ns.deleg",
        "ent", "c.ent", "b.c.ent", "a.b.c.ent", "1.rev", "rev", "info", "big", "hosts", "web2.hosts", "ldap.hosts", "sip.hosts",
    ];

    /// <summary>Names that do not exist: under the apex, under an owner, under an empty non-terminal, under a wildcard's parent, below the delegation.</summary>
    private static readonly string[] Missing =
    [
        "nope", "gone", "nope.www", "x.www", "nope.ent", "x.a.b.c.ent", "x.wild", "a.b.wild", "x.cn", "deep.x.cn", "x.deleg",
        "a.ns.deleg", "nope.hosts", "_nope._tcp", "x.1.rev", "*", "x.*.wild",
    ];

    /// <summary>Case variants: the question's case must be echoed, the answers must not depend on it.</summary>
    private static readonly string[] Absolute =
    [
        "FIDELITY.EXAMPLE.", "WWW.Fidelity.Example.", "_HTTP._Tcp.fidelity.example.", "X.WILD.fidelity.example.", "Alias2.FIDELITY.example.",
        "Nope.Fidelity.Example.", "X.Deleg.fidelity.example.",

        // Outside the zone (REFUSED from both: neither recurses), the parent, and a sibling.
        "www.example.org.", "example.", "other.example.",
    ];

    private static readonly RecordType[] Types =
    [
        RecordType.A, RecordType.Aaaa, RecordType.Srv, RecordType.Txt, RecordType.CName, RecordType.Mx, RecordType.Ns, RecordType.Soa,
        RecordType.Ptr, RecordType.CAA, RecordType.Naptr, RecordType.HInfo, RecordType.Any,
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("registry-fidelity-").FullName;
    private ZooKeeperServer _zk = null!;
    private NamedProcess _named = null!;
    private RegistryServerProcess _facade = null!;

    public async Task InitializeAsync()
    {
        var zones = Path.Combine(_root, "zones");
        Directory.CreateDirectory(zones);
        await File.WriteAllTextAsync(Path.Combine(zones, "fidelity.example.zone"), ZoneText);
        _zk = await ZooKeeperServer.StartAsync();
        _facade = RegistryServerProcess.Start(["--zookeeper", _zk.ConnectString, "--zones", zones, "--data-dir", Path.Combine(_root, "data")]);
        _named = await NamedProcess.StartAsync(
            """zone "fidelity.example" { type primary; file "{dir}/fidelity.example.zone"; };""",
            new Dictionary<string, string> { ["fidelity.example.zone"] = ZoneText },
            Origin);
        await _facade.WaitReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _facade.DisposeAsync();
        await _named.DisposeAsync();
        await _zk.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_facade_answers_every_generated_query_as_bind_does()
    {
        var names = Existing.Concat(Missing).Select(n => n.Length == 0 ? Origin : $"{n}.{Origin}").Concat(Absolute).ToList();
        var differences = new List<string>();
        var count = 0;
        foreach (var edns in (bool[])[false, true])
        {
            foreach (var name in names)
            {
                foreach (var type in Types)
                {
                    var query = Query(name, type, edns, recursionDesired: true);
                    var bind = await DnsUdp.QueryAsync(_named.Port, query);
                    var facade = await DnsUdp.QueryAsync(_facade.DnsPort, query);
                    count++;
                    var found = Compare(bind, facade, type, ignoreCase: name.Any(char.IsAsciiLetterUpper));
                    if (found.Count > 0)
                    {
                        differences.Add($"{name} {type}{(edns ? " +edns" : "")}:\n  {string.Join("\n  ", found)}");
                    }
                }
            }
        }

        output.WriteLine($"{count} queries, {differences.Count} differ");
        foreach (var difference in differences)
        {
            output.WriteLine(difference);
        }

        Assert.True(differences.Count == 0, $"{differences.Count} of {count} answers differ from BIND's:\n{string.Join('\n', differences)}");
    }

    [Fact]
    public async Task With_rd_clear_bind_adds_the_apex_ns_set_to_positive_answers_and_the_facade_does_not()
    {
        var query = Query($"www.{Origin}", RecordType.A, edns: true, recursionDesired: false);

        var bind = await DnsUdp.QueryAsync(_named.Port, query);
        var facade = await DnsUdp.QueryAsync(_facade.DnsPort, query);

        Assert.Equal(Canonical(bind.AnswerRecords), Canonical(facade.AnswerRecords));
        Assert.Equal(
            ["fidelity.example. 3600 IN NS ns.outside.example.", "fidelity.example. 3600 IN NS ns1.fidelity.example.", "fidelity.example. 3600 IN NS ns2.fidelity.example."],
            Canonical(bind.AuthorityRecords));
        Assert.Empty(facade.AuthorityRecords);
    }

    private static DnsMessage Query(string name, RecordType type, bool edns, bool recursionDesired)
    {
        var query = new DnsMessage { TransactionID = (ushort)Random.Shared.Next(ushort.MaxValue + 1), IsRecursionDesired = recursionDesired };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        if (edns)
        {
            query.EDnsOptions = new OptRecord(1232);
        }

        return query;
    }

    /// <summary>Every way <paramref name="facade"/> differs from <paramref name="bind"/>, one line each.</summary>
    private static List<string> Compare(DnsMessage bind, DnsMessage facade, RecordType type, bool ignoreCase)
    {
        var found = new List<string>();
        void Field<T>(string what, T expected, T actual)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
            {
                found.Add($"{what}: BIND {expected}, facade {actual}");
            }
        }

        Field("rcode", bind.ReturnCode, facade.ReturnCode);
        Field("AA", bind.IsAuthoritiveAnswer, facade.IsAuthoritiveAnswer);
        Field("TC", bind.IsTruncated, facade.IsTruncated);
        Field("RA", bind.IsRecursionAllowed, facade.IsRecursionAllowed);
        Field("question", Question(bind), Question(facade));
        Field("EDNS payload", bind.EDnsOptions?.UdpPayloadSize, facade.EDnsOptions?.UdpPayloadSize);
        if (bind.IsTruncated && facade.IsTruncated)
        {
            // RFC 2181 §9: a client ignores what a truncated response holds and asks again over TCP; which records of
            // the RRset fit is not an answer (BIND rotates the RRset's order, ARSoft keeps its first records).
            return found;
        }

        if (type == RecordType.Soa && bind.AuthorityRecords is [SoaRecord { TimeToLive: 0 } bindSoa]
            && facade.AuthorityRecords is [SoaRecord facadeSoa] && facadeSoa.TimeToLive == Math.Min(3600, bindSoa.NegativeCachingTTL))
        {
            // BIND's TTL 0 against RFC 2308's: the TTLs are checked here, the records compared with BIND's TTL.
            facade.AuthorityRecords[0] = new SoaRecord(facadeSoa.Name, 0, facadeSoa.MasterName, facadeSoa.ResponsibleName, facadeSoa.SerialNumber, facadeSoa.RefreshInterval, facadeSoa.RetryInterval, facadeSoa.ExpireInterval, facadeSoa.NegativeCachingTTL);
        }

        if (type == RecordType.Any && bind.ReturnCode == ReturnCode.NoError && facade.ReturnCode == ReturnCode.NoError)
        {
            // RFC 8482 §4.2: one whole RRset of what BIND lists.
            var sets = Canonical(bind.AnswerRecords, ignoreCase).GroupBy(OwnerAndType).ToDictionary(g => g.Key, g => g.ToHashSet());
            var answer = Canonical(facade.AnswerRecords, ignoreCase);
            var keys = answer.Select(OwnerAndType).Distinct().ToList();
            if (sets.Count == 0 ? answer.Count > 0 : keys.Count != 1 || !sets.TryGetValue(keys[0], out var set) || !set.SetEquals(answer))
            {
                found.Add($"ANY answer is not one of BIND's RRsets: BIND [{string.Join(" | ", sets.Keys)}], facade [{string.Join(" | ", answer)}]");
            }

            Section(found, "authority", bind.AuthorityRecords, facade.AuthorityRecords, ignoreCase);
            return found;
        }

        Section(found, "answer", bind.AnswerRecords, facade.AnswerRecords, ignoreCase);
        Section(found, "authority", bind.AuthorityRecords, facade.AuthorityRecords, ignoreCase);
        Section(found, "additional", bind.AdditionalRecords, facade.AdditionalRecords, ignoreCase);
        return found;
    }

    private static void Section(List<string> found, string section, List<DnsRecordBase> bind, List<DnsRecordBase> facade, bool ignoreCase)
    {
        var expected = Canonical(bind, ignoreCase);
        var actual = Canonical(facade, ignoreCase);
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        if (missing.Count > 0 || extra.Count > 0)
        {
            found.Add($"{section}: only BIND [{string.Join(" | ", missing)}], only facade [{string.Join(" | ", extra)}]");
        }
    }

    private static string Question(DnsMessage message) =>
        message.Questions.Count == 1 ? message.Questions[0].ToString() : $"{message.Questions.Count} questions";

    private static string OwnerAndType(string canonical)
    {
        var fields = canonical.Split(' ', 5);
        return $"{fields[0]} {fields[3]}";
    }

    /// <summary>
    /// Records as sorted master-file lines with the owner lower-cased, or all of the line when
    /// <paramref name="ignoreCase"/> (OPT left out: EDNS is compared on its own).
    /// </summary>
    private static List<string> Canonical(IEnumerable<DnsRecordBase> records, bool ignoreCase = false)
    {
        var lines = new List<string>();
        foreach (var record in records)
        {
            if (record is OptRecord)
            {
                continue;
            }

            var text = record.ToString();
            var owner = record.Name.ToString();
            lines.Add(ignoreCase ? text.ToLowerInvariant()
                : text.StartsWith(owner, StringComparison.Ordinal) ? owner.ToLowerInvariant() + text[owner.Length..]
                : text);
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
