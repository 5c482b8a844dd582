using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Tests.Dns;
using Registry.Testing;
using Registry.ZooKeeper;
using static Registry.Server.Tests.Dns.RawQuery;

namespace Registry.Server.Tests;

/// <summary>
/// The facade's own transport over real sockets (issue 4 §1, §3): case echo, truncation, responses never answered,
/// and TCP per RFC 7766 (pipelining, idle timeout, connection limit, zero length).
/// </summary>
public sealed class DnsTransportProtocolTests : IAsyncLifetime
{
    private const int MaxConnections = 4;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>20 TXT records of about 45 bytes: over 512 bytes, under 1232.</summary>
    private static readonly string BigTxt = string.Concat(Enumerable.Range(0, 20).Select(i => $"big IN TXT \"record number {i:D2} of a set too big for 512\"\n"));

    private LiveServer _live = null!;

    public async Task InitializeAsync() => _live = await LiveServer.StartAsync(
        new TestZones(BigTxt),
        null,
        "--dns-tcp-idle-timeout", "2s", "--dns-tcp-max-connections", MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async Task DisposeAsync() => await _live.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_question_case_is_echoed_in_the_question_and_the_answer_owners(bool tcp)
    {
        // The lower-case query fills the answer cache; the mixed-case one is served from it.
        var lower = await DigAnswer.QueryAsync(_live.Server.DnsPort, "_web._tcp.svc.example.", "SRV", tcp);
        var mixed = await DigAnswer.QueryAsync(_live.Server.DnsPort, "_WeB._tCp.svc.example.", "SRV", tcp, "+question");

        Assert.Equal("NOERROR", mixed.Status);
        Assert.Equal(lower.AnswerData("SRV"), mixed.AnswerData("SRV"));
        Assert.NotEmpty(mixed.Answer);
        Assert.All(mixed.Answer, r => Assert.Equal("_WeB._tCp.svc.example.", r[0]));
        Assert.Contains(";_WeB._tCp.svc.example.", mixed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_over_512_bytes_is_truncated_over_udp_without_edns_and_complete_over_tcp_or_with_edns()
    {
        var plain = await DigAnswer.QueryAsync(_live.Server.DnsPort, "big.svc.example.", "TXT", false, "+noedns", "+ignore");
        var edns = await DigAnswer.QueryAsync(_live.Server.DnsPort, "big.svc.example.", "TXT", false, "+bufsize=1232", "+ignore");
        var tcp = await DigAnswer.QueryAsync(_live.Server.DnsPort, "big.svc.example.", "TXT", true, "+noedns");

        Assert.Contains("tc", plain.Flags);
        Assert.Empty(plain.Answer);
        Assert.DoesNotContain("tc", edns.Flags);
        Assert.Equal(20, edns.AnswerData("TXT").Count);
        Assert.DoesNotContain("tc", tcp.Flags);
        Assert.Equal(20, tcp.AnswerData("TXT").Count);
    }

    [Fact]
    public async Task A_response_gets_no_answer_and_the_next_query_is_answered()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new IPEndPoint(IPAddress.Loopback, _live.Server.DnsPort);
        var response = Build("ns1.svc.example.", A, id: 1);
        response[2] |= 0x80;
        await udp.SendAsync(response, server);
        await udp.SendAsync(Build("ns1.svc.example.", A, id: 2), server);

        // Datagrams on loopback arrive in order: an answer to the response would come first.
        using var timeout = new CancellationTokenSource(Deadline);
        var received = await udp.ReceiveAsync(timeout.Token);
        var answer = DnsMessage.Parse(received.Buffer);
        Assert.Equal(2, answer.TransactionID);
        Assert.Equal("127.0.0.1", ((ARecord)answer.AnswerRecords.Single()).Address.ToString());
    }

    [Fact]
    public async Task Pipelined_tcp_queries_in_one_write_are_all_answered_with_their_ids()
    {
        string[] names = ["ns1.svc.example.", "ap1.hosts.svc.example.", "ap2.hosts.svc.example.", "ldap1.hosts.svc.example.", "nope.svc.example.", "big.svc.example."];
        var queries = names.Select((name, i) => (Id: (ushort)(100 + i), Name: name)).ToArray();
        using var tcp = await ConnectAsync();
        await tcp.Client.SendAsync(queries.SelectMany(q => Frame(Build(q.Name, q.Name.StartsWith("big", StringComparison.Ordinal) ? Txt : A, id: q.Id))).ToArray());

        var answers = new List<DnsMessage>();
        for (var i = 0; i < queries.Length; i++)
        {
            answers.Add(DnsMessage.Parse(await ReadFrameAsync(tcp.Client) ?? throw new InvalidOperationException("the connection closed")));
        }

        Assert.Equal(queries.Select(q => (int)q.Id).Order(), answers.Select(a => (int)a.TransactionID).Order());
        foreach (var answer in answers)
        {
            Assert.Equal(queries.Single(q => q.Id == answer.TransactionID).Name, answer.Questions.Single().Name.ToString());
            Assert.False(answer.IsTruncated);
        }

        Assert.Equal(20, answers.Single(a => a.TransactionID == 105).AnswerRecords.Count);
    }

    [Fact]
    public async Task An_idle_tcp_connection_is_closed_after_the_idle_timeout()
    {
        using var tcp = await ConnectAsync();
        Assert.NotNull(await QueryAsync(tcp, 7));
        var idle = Stopwatch.StartNew();

        Assert.Null(await ReadFrameAsync(tcp.Client));
        Assert.True(idle.Elapsed >= IdleTimeout * 0.9, $"closed after {idle.Elapsed}, before the idle timeout");
    }

    [Fact]
    public async Task A_zero_length_closes_the_tcp_connection()
    {
        using var tcp = await ConnectAsync();
        Assert.NotNull(await QueryAsync(tcp, 8));

        await tcp.Client.SendAsync(new byte[2]);

        Assert.Null(await ReadFrameAsync(tcp.Client));
    }

    [Fact]
    public async Task Connections_over_the_limit_are_closed_at_once_and_the_others_keep_answering()
    {
        // Connections of earlier tests may take a moment to be noticed closed: try until the limit is exactly ours.
        await Poll.UntilAsync(
            async _ =>
            {
                var open = new List<TcpClient>();
                try
                {
                    for (var i = 0; i < MaxConnections; i++)
                    {
                        var tcp = await ConnectAsync();
                        open.Add(tcp);
                        if (await QueryAsync(tcp, (ushort)(200 + i)) is null)
                        {
                            return false;
                        }
                    }

                    using var extra = await ConnectAsync();
                    var refused = await ReadFrameAsync(extra.Client) is null;
                    var othersAnswer = true;
                    foreach (var tcp in open)
                    {
                        othersAnswer &= await QueryAsync(tcp, 300) is not null;
                    }

                    return refused && othersAnswer;
                }
                finally
                {
                    open.ForEach(c => c.Dispose());
                }
            },
            Deadline,
            $"the connection past {MaxConnections} is closed and the others answer");
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _live.Server.DnsPort);
        return tcp;
    }

    /// <summary>Sends one query and reads its answer; null when the server closed the connection instead.</summary>
    private static async Task<DnsMessage?> QueryAsync(TcpClient tcp, ushort id)
    {
        try
        {
            await tcp.Client.SendAsync(Frame(Build("ns1.svc.example.", A, id: id)));
        }
        catch (SocketException)
        {
            return null;
        }

        var frame = await ReadFrameAsync(tcp.Client);
        var answer = frame is null ? null : DnsMessage.Parse(frame);
        Assert.True(answer is null || answer.TransactionID == id);
        return answer;
    }

    /// <summary>Reads one framed message; null when the connection closes (or is reset) first. Fails after the deadline.</summary>
    private static async Task<byte[]?> ReadFrameAsync(Socket socket)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        var prefix = new byte[2];
        if (!await ReadExactlyAsync(socket, prefix, timeout.Token))
        {
            return null;
        }

        var message = new byte[BinaryPrimitives.ReadUInt16BigEndian(prefix)];
        return await ReadExactlyAsync(socket, message, timeout.Token) ? message : null;
    }

    private static async Task<bool> ReadExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            }
            catch (SocketException)
            {
                return false;
            }

            if (read == 0)
            {
                return false;
            }

            filled += read;
        }

        return true;
    }
}
