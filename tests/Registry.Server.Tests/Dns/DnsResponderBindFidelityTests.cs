using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// The differences with BIND that <c>Peers/BindFidelityTests</c> found in the answer engine, each pinned here without
/// a server: an RRset whose lines disagree on the TTL, and NAPTR additional-section processing.
/// </summary>
public sealed class DnsResponderBindFidelityTests : IDisposable
{
    private const string Zone = """
        $ORIGIN fid.example.
        $TTL 3600
        @     IN SOA ns h ( 1 7200 900 1209600 300 )
              IN NS  ns
        ns    IN A   192.0.2.1
        www   300 IN A 192.0.2.80
                  IN A 192.0.2.81
              100 IN A 192.0.2.82
              120 IN AAAA 2001:db8::80
        dup   300 IN A 192.0.2.9
              60  IN A 192.0.2.9
        info  60  IN HINFO "x86" "Linux"
              30  IN HINFO "arm" "Linux"
        sip   IN NAPTR 100 10 "S" "SIP+D2U" "" _sip._udp
              IN NAPTR 101 10 "s" "SIP+D2T" "" _sip._tcp
              IN NAPTR 102 10 "S" "SIP+D2S" "" _missing._tcp
              IN NAPTR 103 10 "A" "SIP+D2X" "" host
              IN NAPTR 104 10 "U" "E2U+sip" "!^.*$!sip:info@fid.example!" .
        _sip._udp IN SRV 5 5 5060 host
        _sip._tcp IN SRV 5 5 5060 host
                  IN SRV 6 5 5061 other.example.
        host  IN A    192.0.2.84
              IN AAAA 2001:db8::84

        """;

    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions());

    public void Dispose() => _test.Dispose();

    [Fact]
    public void An_rrset_whose_lines_give_different_ttls_is_served_with_the_first_lines_ttl_as_bind_loads_it()
    {
        var response = Ask("www.fid.example.", RecordType.A);

        Assert.Equal(
            ["www.fid.example. 300 IN A 192.0.2.80", "www.fid.example. 300 IN A 192.0.2.81", "www.fid.example. 300 IN A 192.0.2.82"],
            Lines(response.AnswerRecords));
        Assert.Equal(["www.fid.example. 120 IN AAAA 2001:db8::80"], Lines(Ask("www.fid.example.", RecordType.Aaaa).AnswerRecords));
    }

    [Fact]
    public void A_record_repeated_with_another_ttl_is_one_record()
    {
        Assert.Equal(["dup.fid.example. 300 IN A 192.0.2.9"], Lines(Ask("dup.fid.example.", RecordType.A).AnswerRecords));
    }

    [Fact]
    public void Types_copied_through_their_text_take_the_rrsets_ttl_too()
    {
        Assert.Equal(
            ["info.fid.example. 60 IN HINFO \"x86\" \"Linux\"", "info.fid.example. 60 IN HINFO \"arm\" \"Linux\""],
            Lines(Ask("info.fid.example.", RecordType.HInfo).AnswerRecords));
    }

    [Fact]
    public void Naptr_answers_carry_the_srv_sets_of_s_replacements_with_their_addresses_and_the_addresses_of_a_replacements()
    {
        var response = Ask("sip.fid.example.", RecordType.Naptr);

        Assert.Equal(5, response.AnswerRecords.Count);
        Assert.Equal(
            [
                "_sip._udp.fid.example. 3600 IN SRV 5 5 5060 host.fid.example.",
                "host.fid.example. 3600 IN A 192.0.2.84",
                "host.fid.example. 3600 IN AAAA 2001:db8::84",
                "_sip._tcp.fid.example. 3600 IN SRV 5 5 5060 host.fid.example.",
                "_sip._tcp.fid.example. 3600 IN SRV 6 5 5061 other.example.",
            ],
            Lines(response.AdditionalRecords));
    }

    [Fact]
    public void Copying_a_record_with_its_own_ttl_returns_it_unchanged()
    {
        var record = new ARecord(DomainName.Parse("a.example."), 60, System.Net.IPAddress.Loopback);

        Assert.Same(record, RecordOwner.WithTtl(record, 60));
        Assert.Equal("a.example. 5 IN A 127.0.0.1", RecordOwner.WithTtl(record, 5).ToString());
    }

    private DnsMessage Ask(string name, RecordType type) =>
        _responder.Respond(Query(name, type), View(_test.Zones(("fid.example.zone", Zone)), defaultZone: "fid.example."));
}
