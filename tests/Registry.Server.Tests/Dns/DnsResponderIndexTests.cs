using ARSoft.Tools.Net.Dns;
using Registry.Core.Instances;
using Registry.Core.View;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>Indexes are built off the query path: queries answer from the newest ready index meanwhile.</summary>
public sealed class DnsResponderIndexTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly DnsTestView _test = new();
    private readonly ManualResetEventSlim _gate = new(initialState: false);
    private int _backgroundBuilds;

    public void Dispose()
    {
        _gate.Set(); // never leave a builder waiting
        _gate.Dispose();
        _test.Dispose();
    }

    [Fact]
    public void The_first_query_builds_the_first_index_on_its_own_thread()
    {
        var responder = Held();
        var view = ApiAt(_test.DefaultZones(), 5, "10.1.0.1", previous: null);

        Assert.Null(responder.Ready);
        var response = responder.Respond(Query("i.api.svc.example.", RecordType.A), view);

        Assert.Equal(["i.api.svc.example. 5 IN A 10.1.0.1"], Lines(response.AnswerRecords));
        Assert.Same(view, responder.Ready!.View);
        Assert.Equal(1, responder.Builds);
        Assert.Equal(0, Volatile.Read(ref _backgroundBuilds));
    }

    [Fact]
    public void Queries_are_answered_from_the_old_index_until_the_new_one_is_ready()
    {
        var responder = Held();
        var zones = _test.DefaultZones();
        var first = ApiAt(zones, 5, "10.1.0.1", previous: null);
        var second = ApiAt(zones, 6, "10.1.0.2", previous: first);
        responder.IndexOf(first);

        var during = responder.Respond(Query("i.api.svc.example.", RecordType.A), second);
        Assert.Equal(["i.api.svc.example. 5 IN A 10.1.0.1"], Lines(during.AnswerRecords));
        Assert.Same(first, responder.Ready!.View);

        _gate.Set();
        Assert.True(SpinWait.SpinUntil(() => ReferenceEquals(responder.Ready!.View, second), Deadline), "the new index was never served");
        var after = responder.Respond(Query("i.api.svc.example.", RecordType.A), second);
        Assert.Equal(["i.api.svc.example. 5 IN A 10.1.0.2"], Lines(after.AnswerRecords));
    }

    [Fact]
    public void A_burst_of_snapshots_is_indexed_by_a_few_builds_ending_with_the_newest()
    {
        var responder = Held();
        var zones = _test.DefaultZones();
        var view = ApiAt(zones, 5, "10.1.0.1", previous: null);
        responder.IndexOf(view);

        for (var i = 0; i < 100; i++)
        {
            view = ApiAt(zones, 6 + i, $"10.1.1.{i}", previous: view);
            Assert.Equal(ReturnCode.NoError, responder.Respond(Query("i.api.svc.example.", RecordType.A), view).ReturnCode);
        }

        _gate.Set();
        var newest = view;
        Assert.True(SpinWait.SpinUntil(() => ReferenceEquals(responder.Ready!.View, newest), Deadline), "the newest snapshot was never served");

        // The one build held at the gate, then the newest snapshot: the 98 in between are never indexed.
        Assert.InRange(Volatile.Read(ref _backgroundBuilds), 1, 2);
        Assert.Equal(["i.api.svc.example. 5 IN A 10.1.1.99"], Lines(responder.Respond(Query("i.api.svc.example.", RecordType.A), newest).AnswerRecords));
    }

    [Fact]
    public void An_older_snapshot_than_the_served_one_is_answered_from_the_newer_index_and_not_built()
    {
        var responder = Held();
        var zones = _test.DefaultZones();
        var first = ApiAt(zones, 5, "10.1.0.1", previous: null);
        var second = ApiAt(zones, 6, "10.1.0.2", previous: first);
        responder.IndexOf(first);
        responder.IndexOf(second);

        var response = responder.Respond(Query("i.api.svc.example.", RecordType.A), first);

        Assert.Equal(["i.api.svc.example. 5 IN A 10.1.0.2"], Lines(response.AnswerRecords));
        Assert.Equal(2, responder.Builds);
    }

    /// <summary>A responder whose background builds wait for the gate.</summary>
    private DnsResponder Held() => new(new DnsAnswerOptions())
    {
        BeforeBackgroundBuild = _ =>
        {
            Interlocked.Increment(ref _backgroundBuilds);
            _gate.Wait(Deadline);
        },
    };

    private static ViewSnapshot ApiAt(Registry.Core.Zones.ZoneSet zones, long zxid, string address, ViewSnapshot? previous) =>
        View(zones, Registered(zxid, (Api, [Instance(Api, "i", address, 9000)])), previous: previous);
}
