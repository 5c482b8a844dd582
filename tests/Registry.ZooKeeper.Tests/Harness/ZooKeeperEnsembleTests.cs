using Registry.Server.Embedded;
using Registry.Testing;

namespace Registry.ZooKeeper.Tests.Harness;

[Collection(ZooKeeperEnsembleCollection.Name)]
public sealed class ZooKeeperEnsembleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_members_elect_one_leader_and_survive_losing_it()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(3, Options());

        Assert.Equal(3, ensemble.Members.Count);
        Assert.Equal([1, 2, 3], ensemble.Members.Select(m => m.ServerId!.Value));
        Assert.Equal(string.Join(',', ensemble.Members.Select(m => $"127.0.0.1:{m.Port}")), ensemble.ConnectString);
        var modes = await ensemble.GetModesAsync();
        Assert.Single(modes, m => m == "leader");
        Assert.Equal(2, modes.Count(m => m == "follower"));
        var leader = await ensemble.FindLeaderAsync();
        Assert.Equal("leader", modes[leader]);

        var oldLeader = ensemble.Members[leader];
        await oldLeader.KillAsync();
        await ensemble.WaitForQuorumAsync();

        var newLeader = await ensemble.FindLeaderAsync();
        Assert.NotEqual(leader, newLeader);
        foreach (var survivor in ensemble.Members.Where(m => m != oldLeader))
        {
            Assert.Contains("Mode: ", await survivor.SendFourLetterWordAsync("srvr"));
        }

        // Back on its old ports with its old data, the former leader rejoins under the new one.
        await oldLeader.StartAgainAsync();
        await ensemble.WaitForQuorumAsync();
        Assert.Equal("follower", await oldLeader.GetModeAsync());
        Assert.Equal(newLeader, await ensemble.FindLeaderAsync());
    }

    [Fact]
    public async Task Losing_the_majority_stops_service_until_a_member_returns()
    {
        await using var ensemble = await ZooKeeperEnsemble.StartAsync(3, Options());
        var last = ensemble.Members[2];

        await ensemble.Members[0].KillAsync();
        await ensemble.Members[1].KillAsync();

        Assert.False(ensemble.HasRunningMajority);
        await Poll.UntilAsync(
            async t => (await last.SendFourLetterWordAsync("srvr", t)).Contains(FourLetterWord.NotServing, StringComparison.Ordinal),
            Timeout,
            "the last member notices it has no quorum");
        Assert.Equal("imok", await last.SendFourLetterWordAsync("ruok"));

        await ensemble.Members[0].StartAgainAsync();
        await ensemble.WaitForQuorumAsync();

        Assert.True(ensemble.HasRunningMajority);
        Assert.NotNull(await last.GetModeAsync());
        Assert.NotNull(await ensemble.Members[0].GetModeAsync());
        Assert.Null(await ensemble.Members[1].GetModeAsync());
    }

    private static ZooKeeperServerOptions Options() => new() { StartTimeout = Timeout };
}
