using ARSoft.Tools.Net.Dns;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Core.View;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>
/// What registrations change in the answers (DESIGN §4, §5): merged SRV sets for hybrid and dynamic services, A/AAAA for
/// instance targets and service names, a zone without a zone file, drained instances, the panic floor, SOA serials.
/// </summary>
public sealed class DnsResponderViewTests : IDisposable
{
    private const int Ttl = 7;

    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions { DynamicTtl = Ttl });

    public void Dispose() => _test.Dispose();

    [Fact]
    public void A_hybrid_service_answers_its_merged_set_instead_of_the_zone_srv_records()
    {
        // ap1 runs (matched by address), ap2 is down, x3 runs undeclared (accepted by default).
        var view = View(_test.DefaultZones(), Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.3", 4070)])));

        var response = _responder.Respond(Query("_web._tcp.svc.example.", RecordType.Srv), view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(
            [$"_web._tcp.svc.example. {Ttl} IN SRV 10 12 4070 ap1.hosts.svc.example.", $"_web._tcp.svc.example. {Ttl} IN SRV 10 10 4070 x3.web.svc.example."],
            Lines(response.AnswerRecords));

        // The declared target keeps its zone A record (and TTL); the registered one gets the registration's address.
        Assert.Equal(["ap1.hosts.svc.example. 300 IN A 10.0.0.1", $"x3.web.svc.example. {Ttl} IN A 10.0.0.3"], Lines(response.AdditionalRecords));
    }

    [Fact]
    public void A_static_service_beside_a_hybrid_one_stays_as_written()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070)])));

        var ldap = _responder.Respond(Query("_ldap._tcp.svc.example.", RecordType.Srv), view);
        var otherWeb = _responder.Respond(Query("_web._tcp.other.example.", RecordType.Srv), view);

        Assert.Equal(2, ldap.AnswerRecords.Count);
        Assert.All(ldap.AnswerRecords, r => Assert.Equal(300, r.TimeToLive));
        Assert.Equal(["_web._tcp.other.example. 120 IN SRV 10 10 8080 ap9.other.example."], Lines(otherWeb.AnswerRecords));
    }

    [Fact]
    public void Registered_instance_targets_and_the_service_name_get_addresses_from_the_registrations()
    {
        var view = View(_test.DefaultZones(), Registered(
            5,
            (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.3", 4070)]),
            (Api, [Instance(Api, "i1", "10.1.0.1", 9000), Instance(Api, "i2", "2001:db8::2", 9000)])));

        Assert.Equal([$"x3.web.svc.example. {Ttl} IN A 10.0.0.3"], Lines(Answer(view, "x3.web.svc.example.", RecordType.A)));
        Assert.Equal([$"web.svc.example. {Ttl} IN A 10.0.0.1", $"web.svc.example. {Ttl} IN A 10.0.0.3"], Lines(Answer(view, "web.svc.example.", RecordType.A)));
        Assert.Equal([$"api.svc.example. {Ttl} IN A 10.1.0.1"], Lines(Answer(view, "api.svc.example.", RecordType.A)));
        Assert.Equal([$"api.svc.example. {Ttl} IN AAAA 2001:db8::2"], Lines(Answer(view, "api.svc.example.", RecordType.Aaaa)));
        Assert.Equal([$"i2.api.svc.example. {Ttl} IN AAAA 2001:db8::2"], Lines(Answer(view, "i2.api.svc.example.", RecordType.Aaaa)));

        // An instance name with only an IPv4 address has no AAAA: NODATA, not NXDOMAIN.
        var nodata = _responder.Respond(Query("i1.api.svc.example.", RecordType.Aaaa), view);
        Assert.Equal(ReturnCode.NoError, nodata.ReturnCode);
        Assert.Empty(nodata.AnswerRecords);
        Assert.Single(nodata.AuthorityRecords);
    }

    [Fact]
    public void A_declared_target_keeps_the_zone_record_even_when_its_registration_has_another_address()
    {
        // Matched by target name and port; the registration's address differs from the declared one.
        var view = View(_test.DefaultZones(), Registered(5, (Web, [Instance(Web, "a", "10.7.7.7", 4070, hostname: "ap1.hosts.svc.example.")])));

        Assert.Equal(["ap1.hosts.svc.example. 300 IN A 10.0.0.1"], Lines(Answer(view, "ap1.hosts.svc.example.", RecordType.A)));
    }

    [Fact]
    public void A_registered_hostname_outside_the_served_zones_is_used_as_is_without_addresses()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000, hostname: "host.elsewhere.example.")])));

        Assert.Equal([$"_api._tcp.svc.example. {Ttl} IN SRV 10 10 9000 host.elsewhere.example."], Lines(Answer(view, "_api._tcp.svc.example.", RecordType.Srv)));
        Assert.Equal(ReturnCode.Refused, _responder.Respond(Query("host.elsewhere.example.", RecordType.A), view).ReturnCode);
    }

    [Fact]
    public void A_registered_hostname_in_another_served_zone_gets_its_addresses_there()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000, hostname: "api1.other.example.")])));

        Assert.Equal([$"api1.other.example. {Ttl} IN A 10.1.0.1"], Lines(Answer(view, "api1.other.example.", RecordType.A)));
    }

    [Fact]
    public void Records_of_the_zone_file_at_the_service_name_win_over_the_registrations()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\nweb IN CNAME ap1.hosts\n"));
        var view = View(zones, Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.3", 4070)])));

        Assert.Equal(
            ["web.svc.example. 300 IN CNAME ap1.hosts.svc.example.", "ap1.hosts.svc.example. 300 IN A 10.0.0.1"],
            Lines(Answer(view, "web.svc.example.", RecordType.A)));
    }

    [Fact]
    public void A_dynamic_service_in_a_default_zone_without_zone_file_gets_a_made_up_soa_and_ns()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000)])), defaultZone: "dyn.example.");

        var soa = Answer(view, "dyn.example.", RecordType.Soa);
        var ns = Answer(view, "dyn.example.", RecordType.Ns);
        var srv = _responder.Respond(Query("_api._tcp.dyn.example.", RecordType.Srv), view);
        var missing = _responder.Respond(Query("nothing.dyn.example.", RecordType.A), view);

        Assert.Equal([$"dyn.example. {Ttl} IN SOA ns.dyn.example. hostmaster.dyn.example. {view.Serial("dyn.example.")} 3600 600 86400 {Ttl}"], Lines(soa));
        Assert.Equal(["dyn.example. 3600 IN NS ns.dyn.example."], Lines(ns));
        Assert.True(srv.IsAuthoritiveAnswer);
        Assert.Equal([$"_api._tcp.dyn.example. {Ttl} IN SRV 10 10 9000 i1.api.dyn.example."], Lines(srv.AnswerRecords));
        Assert.Equal([$"i1.api.dyn.example. {Ttl} IN A 10.1.0.1"], Lines(srv.AdditionalRecords));
        Assert.Equal(ReturnCode.NxDomain, missing.ReturnCode);
        Assert.Equal(Ttl, Assert.Single(missing.AuthorityRecords).TimeToLive);
        Assert.Equal(ReturnCode.NoError, _responder.Respond(Query("_tcp.dyn.example.", RecordType.A), view).ReturnCode);
    }

    [Fact]
    public void A_drained_instance_is_absent_from_srv_and_address_answers()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000), Instance(Api, "d", "10.1.0.4", 9000, InstanceStatus.Draining)])));

        Assert.Equal([$"_api._tcp.svc.example. {Ttl} IN SRV 10 10 9000 i1.api.svc.example."], Lines(Answer(view, "_api._tcp.svc.example.", RecordType.Srv)));
        Assert.Equal([$"api.svc.example. {Ttl} IN A 10.1.0.1"], Lines(Answer(view, "api.svc.example.", RecordType.A)));
        Assert.Equal(ReturnCode.NxDomain, _responder.Respond(Query("d.api.svc.example.", RecordType.A), view).ReturnCode);
    }

    [Fact]
    public void A_dynamic_service_with_nothing_live_is_nodata()
    {
        var view = View(_test.DefaultZones(), Registered(5, (Api, [Instance(Api, "d", "10.1.0.4", 9000, InstanceStatus.OutOfService)])));

        var response = _responder.Respond(Query("_api._tcp.svc.example.", RecordType.Srv), view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.Single(response.AuthorityRecords);
    }

    [Fact]
    public void A_service_in_panic_serves_its_declared_set()
    {
        // Registering (the node exists) but nothing live: the panic floor serves the zone's declared targets.
        var view = View(_test.DefaultZones(), Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070, InstanceStatus.Draining)])));
        Assert.True(Assert.Single(view.Degraded).Degraded);

        var response = _responder.Respond(Query("_web._tcp.svc.example.", RecordType.Srv), view);

        Assert.Equal(
            [$"_web._tcp.svc.example. {Ttl} IN SRV 10 12 4070 ap1.hosts.svc.example.", $"_web._tcp.svc.example. {Ttl} IN SRV 10 12 4070 ap2.hosts.svc.example."],
            Lines(response.AnswerRecords));
        Assert.Equal(["ap1.hosts.svc.example. 300 IN A 10.0.0.1", "ap2.hosts.svc.example. 300 IN A 10.0.0.2"], Lines(response.AdditionalRecords));
        Assert.Equal([$"web.svc.example. {Ttl} IN A 10.0.0.1", $"web.svc.example. {Ttl} IN A 10.0.0.2"], Lines(Answer(view, "web.svc.example.", RecordType.A)));
    }

    [Fact]
    public void A_hybrid_service_declared_with_target_dot_and_nothing_live_keeps_the_dot()
    {
        var zones = _test.Zones(("svc.example.zone", DnsTestView.SvcZone + "\n_gone._tcp IN SRV 0 0 0 .\n"));
        var gone = ServiceName.Parse("gone");
        var view = View(zones, Registered(5, (gone, [])));

        Assert.Equal(["_gone._tcp.svc.example. 300 IN SRV 0 0 0 ."], Lines(Answer(view, "_gone._tcp.svc.example.", RecordType.Srv)));
    }

    [Fact]
    public void The_soa_serial_is_the_view_serial_and_rises_with_every_change()
    {
        var zones = _test.DefaultZones();
        var first = View(zones, Registered(5, (Web, [Instance(Web, "a", "10.0.0.1", 4070)])));
        var second = View(zones, Registered(6, (Web, [Instance(Web, "a", "10.0.0.1", 4070), Instance(Web, "x3", "10.0.0.3", 4070)])), previous: first);

        var before = (SoaRecord)Answer(first, "svc.example.", RecordType.Soa).Single();
        var after = (SoaRecord)Answer(second, "svc.example.", RecordType.Soa).Single();
        var negative = (SoaRecord)_responder.Respond(Query("nothing.svc.example.", RecordType.A), second).AuthorityRecords.Single();

        Assert.Equal(first.Serial("svc.example."), before.SerialNumber);
        Assert.Equal(second.Serial("svc.example."), after.SerialNumber);
        Assert.True(ViewSnapshot.IsSerialGreater(after.SerialNumber, before.SerialNumber));
        Assert.Equal(after.SerialNumber, negative.SerialNumber);

        // The other zone did not change: its serial stays the declared one.
        Assert.Equal(2024010100u, ((SoaRecord)Answer(second, "other.example.", RecordType.Soa).Single()).SerialNumber);
    }

    [Fact]
    public void A_new_snapshot_is_answered_from_its_own_index_once_built_and_the_same_snapshot_from_the_cached_one()
    {
        var zones = _test.DefaultZones();
        var first = View(zones, Registered(5, (Api, [Instance(Api, "i1", "10.1.0.1", 9000)])));
        var second = View(zones, Registered(6, (Api, [Instance(Api, "i2", "10.1.0.2", 9000)])), previous: first);

        Assert.Same(_responder.IndexOf(first), _responder.IndexOf(first));
        Assert.Equal(ReturnCode.NoError, _responder.Respond(Query("i1.api.svc.example.", RecordType.A), first).ReturnCode);
        Assert.Same(second, _responder.IndexOf(second).View);
        Assert.Equal(ReturnCode.NxDomain, _responder.Respond(Query("i1.api.svc.example.", RecordType.A), second).ReturnCode);
        Assert.Equal(ReturnCode.NoError, _responder.Respond(Query("i2.api.svc.example.", RecordType.A), second).ReturnCode);
    }

    [Fact]
    public void The_index_reads_the_zones_the_snapshot_was_built_from()
    {
        var zones = _test.DefaultZones();

        Assert.Same(zones, View(zones).Zones);
    }

    /// <summary>The answer from exactly <paramref name="view"/>'s index (queries alone may be answered from an older one).</summary>
    private DnsRecordBase[] Answer(ViewSnapshot view, string name, RecordType type)
    {
        _responder.IndexOf(view);
        var response = _responder.Respond(Query(name, type), view);
        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.True(response.IsAuthoritiveAnswer);
        return [.. response.AnswerRecords];
    }
}
