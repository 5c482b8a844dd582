namespace Registry.Server.Tests.Peers;

public sealed class NamedProcessTests
{
    [Fact]
    public async Task Named_serves_a_zone_file_on_its_port()
    {
        var zone = """
            $ORIGIN peer.example.
            $TTL 300
            @    IN SOA ns1 hostmaster 7 3600 600 86400 60
                 IN NS  ns1
            ns1  IN A   127.0.0.1
            www  IN A   10.1.2.3
            """;
        await using var named = await NamedProcess.StartAsync(
            """zone "peer.example" { type primary; file "{dir}/peer.example.zone"; };""",
            new Dictionary<string, string> { ["peer.example.zone"] = zone + "\n" },
            "peer.example.");

        var answer = await DigAnswer.QueryAsync(named.Port, "www.peer.example.", "A");

        Assert.Equal("NOERROR", answer.Status);
        Assert.Equal(["10.1.2.3"], answer.AnswerData("A"));
        Assert.Contains("aa", answer.Flags);
    }
}
