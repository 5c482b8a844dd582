using System.Net;
using Registry.Core.Merge;
using Registry.Core.Selection;

namespace Registry.Core.Tests.Selection;

public sealed class SrvSelectionTests
{
    [Fact]
    public void Nothing_to_pick_from_gives_null() => Assert.Null(SrvSelection.Pick([], new Random(1)));

    [Fact]
    public void Only_the_lowest_priority_is_ever_picked()
    {
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal("b.", SrvSelection.Pick([E("a.", 20, 1000), E("b.", 10, 1), E("c.", 30, 1000)], random)!.Target);
        }
    }

    [Fact]
    public void Picks_follow_the_weights()
    {
        var random = new Random(42);
        var counts = new Dictionary<string, int> { ["a."] = 0, ["b."] = 0, ["z."] = 0 };
        for (var i = 0; i < 40_000; i++)
        {
            counts[SrvSelection.Pick([E("a.", 10, 30), E("b.", 10, 10), E("z.", 10, 0)], random)!.Target]++;
        }

        Assert.InRange(counts["a."], 29_000, 31_000); // 3/4
        Assert.InRange(counts["b."], 9_000, 11_000);  // 1/4
        Assert.Equal(0, counts["z."]);                // weight 0 loses to any positive weight
    }

    [Fact]
    public void All_zero_weights_draw_uniformly()
    {
        var random = new Random(3);
        var counts = new Dictionary<string, int> { ["a."] = 0, ["b."] = 0 };
        for (var i = 0; i < 10_000; i++)
        {
            counts[SrvSelection.Pick([E("a.", 1, 0), E("b.", 1, 0)], random)!.Target]++;
        }

        Assert.InRange(counts["a."], 4_500, 5_500);
    }

    private static Endpoint E(string target, int priority, int weight) =>
        new(target, 80, priority, weight, [IPAddress.Loopback], EndpointState.Live, InAnswer: true, Declared: null, Instance: null);
}
