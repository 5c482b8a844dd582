using ARSoft.Tools.Net.Dns;
using Registry.Core.Instances;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>PTR for registered addresses in served reverse zones (DESIGN §4).</summary>
public sealed class DnsResponderReverseTests : IDisposable
{
    private const int Ttl = 7;

    private const string ReverseZone = """
        $ORIGIN 10.in-addr.arpa.
        $TTL 600
        @          IN SOA ns1.svc.example. hostmaster.svc.example. ( 3 3600 600 1209600 60 )
                   IN NS  ns1.svc.example.
        1.0.0      IN PTR ap1.hosts.svc.example.
        """;

    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions { DynamicTtl = Ttl });

    public void Dispose() => _test.Dispose();

    [Fact]
    public void A_registered_address_in_a_served_reverse_zone_points_at_its_instance()
    {
        var view = View(Zones(), Registered(5, (Web, [Instance(Web, "x3", "10.0.0.3", 4070), Instance(Web, "x4", "10.0.0.4", 4070, InstanceStatus.Draining)])));

        var live = _responder.Respond(Query("3.0.0.10.in-addr.arpa.", RecordType.Ptr), view);
        var drained = _responder.Respond(Query("4.0.0.10.in-addr.arpa.", RecordType.Ptr), view);

        Assert.True(live.IsAuthoritiveAnswer);
        Assert.Equal([$"3.0.0.10.in-addr.arpa. {Ttl} IN PTR x3.web.svc.example."], Lines(live.AnswerRecords));
        Assert.Equal([$"4.0.0.10.in-addr.arpa. {Ttl} IN PTR x4.web.svc.example."], Lines(drained.AnswerRecords));
    }

    [Fact]
    public void The_zone_files_ptr_wins_and_unregistered_addresses_do_not_exist()
    {
        var view = View(Zones(), Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070)])));

        var declared = _responder.Respond(Query("1.0.0.10.in-addr.arpa.", RecordType.Ptr), view);
        var missing = _responder.Respond(Query("9.0.0.10.in-addr.arpa.", RecordType.Ptr), view);

        Assert.Equal(["1.0.0.10.in-addr.arpa. 600 IN PTR ap1.hosts.svc.example."], Lines(declared.AnswerRecords));
        Assert.Equal(ReturnCode.NxDomain, missing.ReturnCode);
        Assert.IsType<SoaRecord>(Assert.Single(missing.AuthorityRecords));
    }

    [Fact]
    public void Two_instances_on_one_address_give_two_pointers_and_addresses_outside_reverse_zones_none()
    {
        var view = View(Zones(), Registered(
            5,
            (Web, [Instance(Web, "x3", "10.0.0.3", 4070)]),
            (Api, [Instance(Api, "i1", "10.0.0.3", 9000), Instance(Api, "i2", "192.168.1.2", 9000)])));

        var shared = _responder.Respond(Query("3.0.0.10.in-addr.arpa.", RecordType.Ptr), view);
        var outside = _responder.Respond(Query("2.1.168.192.in-addr.arpa.", RecordType.Ptr), view);

        Assert.Equal(
            [$"3.0.0.10.in-addr.arpa. {Ttl} IN PTR i1.api.svc.example.", $"3.0.0.10.in-addr.arpa. {Ttl} IN PTR x3.web.svc.example."],
            Lines(shared.AnswerRecords).Order());
        Assert.Equal(ReturnCode.Refused, outside.ReturnCode);
    }

    [Fact]
    public void Without_a_reverse_zone_there_is_no_reverse_answer()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Web, [Instance(Web, "x3", "10.0.0.3", 4070)])));

        var response = _responder.Respond(Query("3.0.0.10.in-addr.arpa.", RecordType.Ptr), view);

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
    }

    private Registry.Core.Zones.ZoneSet Zones() =>
        _test.Zones(("svc.example.zone", SvcZone), ("10.in-addr.arpa.zone", ReverseZone));
}
