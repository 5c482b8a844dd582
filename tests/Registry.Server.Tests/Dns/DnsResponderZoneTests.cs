using ARSoft.Tools.Net.Dns;
using Registry.Core.View;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// The zone files' records served as BIND serves them (RFC 1034 §4.3.2, 2308, 4592, 8482): positive answers, NODATA,
/// NXDOMAIN, empty non-terminals, CNAME chains, additional data, referrals, wildcards, minimal ANY.
/// </summary>
public sealed class DnsResponderZoneTests : IDisposable
{
    private const string NegativeSoa = "svc.example. 60 IN SOA ns1.svc.example. hostmaster.svc.example. 7 3600 600 1209600 60";

    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions());
    private readonly ViewSnapshot _view;

    public DnsResponderZoneTests() => _view = View(_test.DefaultZones());

    public void Dispose() => _test.Dispose();

    public static TheoryData<string, RecordType, string[]> Positive => new()
    {
        { "svc.example.", RecordType.Soa, ["svc.example. 300 IN SOA ns1.svc.example. hostmaster.svc.example. 7 3600 600 1209600 60"] },
        { "ns1.svc.example.", RecordType.Aaaa, ["ns1.svc.example. 300 IN AAAA 2001:db8::53"] },
        { "info.svc.example.", RecordType.Txt, ["info.svc.example. 300 IN TXT \"hello\" \"world\""] },
        { "ldap1.hosts.svc.example.", RecordType.A, ["ldap1.hosts.svc.example. 600 IN A 10.0.2.1"] },
        { "alias.svc.example.", RecordType.CName, ["alias.svc.example. 300 IN CNAME info.svc.example."] },
        { "ap2.hosts.svc.example.", RecordType.A, ["ap2.hosts.svc.example. 300 IN A 10.0.0.2"] },
        { "ap9.other.example.", RecordType.A, ["ap9.other.example. 120 IN A 10.9.0.9"] },
    };

    [Theory]
    [MemberData(nameof(Positive))]
    public void A_name_with_the_type_answers_its_rrset_and_nothing_in_authority(string name, RecordType type, string[] expected)
    {
        var response = Ask(name, type);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Equal(expected, Lines(response.AnswerRecords));
        Assert.Empty(response.AuthorityRecords);
    }

    [Fact]
    public void A_static_service_answers_its_srv_records_as_written_with_target_addresses_in_additional()
    {
        var response = Ask("_ldap._tcp.svc.example.", RecordType.Srv);

        Assert.Equal(
            ["_ldap._tcp.svc.example. 300 IN SRV 10 50 389 ldap1.hosts.svc.example.", "_ldap._tcp.svc.example. 300 IN SRV 20 50 389 ldap.elsewhere.example."],
            Lines(response.AnswerRecords));
        Assert.Equal(
            ["ldap1.hosts.svc.example. 600 IN A 10.0.2.1", "ldap1.hosts.svc.example. 300 IN AAAA 2001:db8::21"],
            Lines(response.AdditionalRecords));
    }

    [Fact]
    public void A_declared_service_without_registrations_is_static()
    {
        var response = Ask("_web._tcp.svc.example.", RecordType.Srv);

        Assert.Equal(
            ["_web._tcp.svc.example. 300 IN SRV 10 12 4070 ap1.hosts.svc.example.", "_web._tcp.svc.example. 300 IN SRV 10 12 4070 ap2.hosts.svc.example."],
            Lines(response.AnswerRecords));
        Assert.Equal(["ap1.hosts.svc.example. 300 IN A 10.0.0.1", "ap2.hosts.svc.example. 300 IN A 10.0.0.2"], Lines(response.AdditionalRecords));
    }

    [Theory]
    [InlineData("info.svc.example.", RecordType.A)]
    [InlineData("ap1.hosts.svc.example.", RecordType.Aaaa)]
    [InlineData("svc.example.", RecordType.Txt)]
    [InlineData("_web._tcp.svc.example.", RecordType.A)]
    public void A_name_without_the_type_is_nodata_with_the_soa_at_its_negative_ttl(string name, RecordType type)
    {
        var response = Ask(name, type);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Theory]
    [InlineData("_tcp.svc.example.")]
    [InlineData("hosts.svc.example.")]
    [InlineData("wild.svc.example.")]
    public void An_empty_non_terminal_is_nodata_not_nxdomain(string name)
    {
        var response = Ask(name, RecordType.A);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Theory]
    [InlineData("nothing.svc.example.")]
    [InlineData("ap3.hosts.svc.example.")]
    [InlineData("a.b.c.svc.example.")]
    [InlineData("_http._tcp.web.svc.example.")]
    public void A_name_that_does_not_exist_is_nxdomain_with_the_soa(string name)
    {
        var response = Ask(name, RecordType.A);

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Fact]
    public void The_negative_ttl_is_the_soa_ttl_when_that_is_lower_than_the_minimum()
    {
        var zones = _test.Zones(("low.example.zone", "$ORIGIN low.example.\n$TTL 30\n@ IN SOA ns h 1 3600 600 86400 900\n IN NS ns\nns IN A 192.0.2.1\n"));

        var response = _responder.Respond(Query("gone.low.example.", RecordType.A), View(zones, defaultZone: "low.example."));

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.Equal(30, Assert.Single(response.AuthorityRecords).TimeToLive);
    }

    [Fact]
    public void A_cname_chain_is_followed_inside_the_zone()
    {
        var response = Ask("alias2.svc.example.", RecordType.Txt);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(
            ["alias2.svc.example. 300 IN CNAME alias.svc.example.", "alias.svc.example. 300 IN CNAME info.svc.example.", "info.svc.example. 300 IN TXT \"hello\" \"world\""],
            Lines(response.AnswerRecords));
    }

    [Fact]
    public void A_cname_to_a_name_without_the_type_is_nodata_after_the_chain()
    {
        var response = Ask("alias.svc.example.", RecordType.A);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(["alias.svc.example. 300 IN CNAME info.svc.example."], Lines(response.AnswerRecords));
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Fact]
    public void A_cname_into_another_served_zone_is_followed_there()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\ncross IN CNAME ap9.other.example.\n"), ("other.example.zone", DnsTestView.OtherZone));

        var response = _responder.Respond(Query("cross.svc.example.", RecordType.A), View(zones));

        Assert.Equal(["cross.svc.example. 300 IN CNAME ap9.other.example.", "ap9.other.example. 120 IN A 10.9.0.9"], Lines(response.AnswerRecords));
    }

    [Fact]
    public void A_cname_to_a_missing_name_of_a_served_zone_is_nxdomain_with_the_chain_rfc_6604()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\ndangling IN CNAME gone\n"));

        var response = _responder.Respond(Query("dangling.svc.example.", RecordType.A), View(zones));

        Assert.Equal(ReturnCode.NxDomain, response.ReturnCode);
        Assert.Equal(["dangling.svc.example. 300 IN CNAME gone.svc.example."], Lines(response.AnswerRecords));
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Fact]
    public void A_cname_leaving_the_served_zones_stops_there()
    {
        var response = Ask("outside.svc.example.", RecordType.A);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Equal(["outside.svc.example. 300 IN CNAME www.example.org."], Lines(response.AnswerRecords));
        Assert.Empty(response.AuthorityRecords);
    }

    [Fact]
    public void A_cname_loop_ends_without_repeating_itself()
    {
        var response = Ask("loop1.svc.example.", RecordType.A);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(["loop1.svc.example. 300 IN CNAME loop2.svc.example.", "loop2.svc.example. 300 IN CNAME loop1.svc.example."], Lines(response.AnswerRecords));
    }

    [Fact]
    public void A_long_cname_chain_is_cut_after_eight_links()
    {
        var chain = string.Join('\n', Enumerable.Range(0, 20).Select(i => $"c{i} IN CNAME c{i + 1}"));
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\n" + chain + "\nc20 IN A 10.2.0.20\n"));

        var response = _responder.Respond(Query("c0.svc.example.", RecordType.A), View(zones));

        Assert.Equal(8, response.AnswerRecords.Count);
        Assert.All(response.AnswerRecords, r => Assert.IsType<CNameRecord>(r));
    }

    [Fact]
    public void Ns_at_the_apex_gives_glue_for_in_zone_servers_only()
    {
        var response = Ask("svc.example.", RecordType.Ns);

        Assert.Equal(["svc.example. 300 IN NS ns1.svc.example.", "svc.example. 300 IN NS ns.elsewhere.example."], Lines(response.AnswerRecords));
        Assert.Equal(["ns1.svc.example. 300 IN A 192.0.2.53", "ns1.svc.example. 300 IN AAAA 2001:db8::53"], Lines(response.AdditionalRecords));
    }

    [Fact]
    public void Mx_answers_carry_the_exchange_addresses()
    {
        var response = Ask("mail.svc.example.", RecordType.Mx);

        Assert.Equal(["mail.svc.example. 300 IN MX 10 ldap1.hosts.svc.example."], Lines(response.AnswerRecords));
        Assert.Equal(2, response.AdditionalRecords.Count);
    }

    [Theory]
    [InlineData("x.sub.svc.example.", RecordType.A)]
    [InlineData("sub.svc.example.", RecordType.Ns)]
    [InlineData("sub.svc.example.", RecordType.A)]
    public void A_name_at_or_below_a_delegation_gets_a_referral_with_glue(string name, RecordType type)
    {
        var response = Ask(name, type);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.False(response.IsAuthoritiveAnswer);
        Assert.Empty(response.AnswerRecords);
        Assert.Equal(["sub.svc.example. 300 IN NS ns.sub.svc.example."], Lines(response.AuthorityRecords));
        Assert.Equal(["ns.sub.svc.example. 300 IN A 10.5.5.5"], Lines(response.AdditionalRecords));
    }

    [Fact]
    public void Any_is_answered_minimally_with_the_first_rrset_of_the_name()
    {
        var apex = Ask("svc.example.", RecordType.Any);
        var service = Ask("_ldap._tcp.svc.example.", RecordType.Any);
        var alias = Ask("alias.svc.example.", RecordType.Any);
        var empty = Ask("hosts.svc.example.", RecordType.Any);

        Assert.Equal([RecordType.Soa], apex.AnswerRecords.Select(r => r.RecordType));
        Assert.Equal([RecordType.Srv, RecordType.Srv], service.AnswerRecords.Select(r => r.RecordType));
        Assert.Equal([RecordType.CName], alias.AnswerRecords.Select(r => r.RecordType));
        Assert.Empty(empty.AnswerRecords);
        Assert.Equal([NegativeSoa], Lines(empty.AuthorityRecords));
    }

    [Theory]
    [InlineData("foo.wild.svc.example.", RecordType.A, "foo.wild.svc.example. 300 IN A 10.9.9.9")]
    [InlineData("a.b.wild.svc.example.", RecordType.A, "a.b.wild.svc.example. 300 IN A 10.9.9.9")]
    [InlineData("Foo.Wild.svc.example.", RecordType.Txt, "Foo.Wild.svc.example. 300 IN TXT \"wild\"")]
    [InlineData("*.wild.svc.example.", RecordType.A, "*.wild.svc.example. 300 IN A 10.9.9.9")]
    public void A_wildcard_answers_for_missing_names_below_its_parent_under_the_queried_name(string name, RecordType type, string expected)
    {
        var response = Ask(name, type);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.Equal([expected], Lines(response.AnswerRecords));
    }

    [Fact]
    public void A_wildcard_without_the_type_is_nodata()
    {
        var response = Ask("foo.wild.svc.example.", RecordType.Mx);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.Equal([NegativeSoa], Lines(response.AuthorityRecords));
    }

    [Fact]
    public void A_wildcard_does_not_answer_for_names_that_exist_or_have_a_closer_encloser()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\n*.svc.example. IN A 10.8.8.8\n"));
        var view = View(zones);

        Assert.Equal(["x.svc.example. 300 IN A 10.8.8.8"], Lines(_responder.Respond(Query("x.svc.example.", RecordType.A), view).AnswerRecords));

        // info exists: no synthesis there, and none below it either (its closest encloser is info, with no wildcard).
        Assert.Empty(_responder.Respond(Query("info.svc.example.", RecordType.A), view).AnswerRecords);
        Assert.Equal(ReturnCode.NxDomain, _responder.Respond(Query("x.info.svc.example.", RecordType.A), view).ReturnCode);

        // hosts is an empty non-terminal: it exists, so x.hosts is NXDOMAIN rather than the apex wildcard.
        Assert.Equal(ReturnCode.NxDomain, _responder.Respond(Query("x.hosts.svc.example.", RecordType.A), view).ReturnCode);
    }

    [Fact]
    public void A_wildcard_cname_is_synthesized_and_followed()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\n*.alias-all IN CNAME info\n"));

        var response = _responder.Respond(Query("x.alias-all.svc.example.", RecordType.Txt), View(zones));

        Assert.Equal(["x.alias-all.svc.example. 300 IN CNAME info.svc.example.", "info.svc.example. 300 IN TXT \"hello\" \"world\""], Lines(response.AnswerRecords));
    }

    [Fact]
    public void Wildcard_records_of_other_types_keep_their_data_under_the_new_owner()
    {
        Assert.Equal("x.example. 60 IN HINFO \"cpu\" \"os\"", RecordOwner.Rename(new HInfoRecord(ARSoft.Tools.Net.DomainName.Parse("*.example."), 60, "cpu", "os"), ARSoft.Tools.Net.DomainName.Parse("x.example.")).ToString());
    }

    [Fact]
    public void A_nested_zone_answers_for_its_names_rather_than_the_parent_delegation()
    {
        var child = "$ORIGIN sub.svc.example.\n$TTL 100\n@ IN SOA ns h 3 3600 600 86400 10\n IN NS ns\nns IN A 10.5.5.5\nwww IN A 10.6.6.6\n";
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone), ("sub.svc.example.zone", child));
        var view = View(zones);

        var www = _responder.Respond(Query("www.sub.svc.example.", RecordType.A), view);
        var ns = _responder.Respond(Query("sub.svc.example.", RecordType.Ns), view);

        Assert.True(www.IsAuthoritiveAnswer);
        Assert.Equal(["www.sub.svc.example. 100 IN A 10.6.6.6"], Lines(www.AnswerRecords));
        Assert.Equal(["sub.svc.example. 100 IN NS ns.sub.svc.example."], Lines(ns.AnswerRecords));
        Assert.Equal(["ns.sub.svc.example. 100 IN A 10.5.5.5"], Lines(ns.AdditionalRecords));
    }

    private DnsMessage Ask(string name, RecordType type) => _responder.Respond(Query(name, type), _view);
}
