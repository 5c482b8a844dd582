using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Registry.Server.Tests.Dns.Transfer;

/// <summary>AXFR and IXFR answers of the special-query handler (RFC 5936, RFC 1995), access by address, network and key.</summary>
public sealed class ZoneTransferTests : IDisposable
{
    private readonly TransferTestHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Axfr_sends_the_soa_first_every_served_record_and_the_soa_last()
    {
        var responses = await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr)).Bytes);

        var message = DnsMessage.Parse(Assert.Single(responses));
        Assert.Equal(ReturnCode.NoError, message.ReturnCode);
        Assert.True(message.IsAuthoritiveAnswer);
        var records = message.AnswerRecords;
        var serial = _host.View.Current.Serial("svc.example.");
        Assert.Equal(serial, Assert.IsType<SoaRecord>(records[0]).SerialNumber);
        Assert.Equal(serial, Assert.IsType<SoaRecord>(records[^1]).SerialNumber);
        Assert.Equal(2, records.Count(r => r is SoaRecord));

        var lines = DnsTestView.Lines(records);

        // Zone-file records (NS, glue, the delegation), the merged SRV set of web and the registrations' addresses.
        Assert.Contains("svc.example. 300 IN NS ns1.svc.example.", lines);
        Assert.Contains("sub.svc.example. 300 IN NS ns.sub.svc.example.", lines);
        Assert.Contains("ns.sub.svc.example. 300 IN A 10.5.5.5", lines);
        Assert.Contains("_ldap._tcp.svc.example. 300 IN SRV 10 50 389 ldap1.hosts.svc.example.", lines);
        Assert.Contains("_web._tcp.svc.example. 5 IN SRV 10 12 4070 ap1.hosts.svc.example.", lines);
        Assert.Contains("_web._tcp.svc.example. 5 IN SRV 10 10 4070 i3.web.svc.example.", lines);
        Assert.Contains("i3.web.svc.example. 5 IN A 10.0.0.3", lines);
        Assert.DoesNotContain(lines, l => l.Contains("ap2.hosts.svc.example.", StringComparison.Ordinal) && l.Contains("SRV", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("other.example.", StringComparison.Ordinal));

        // Every answer the facade gives for a name of the zone is in the transfer.
        var ldap = _host.Responder.Respond(DnsTestView.Query("_ldap._tcp.svc.example.", RecordType.Srv), _host.View.Current);
        Assert.All(DnsTestView.Lines(ldap.AnswerRecords), l => Assert.Contains(l, lines));
    }

    [Fact]
    public async Task A_large_zone_is_split_into_messages_below_the_limit_with_the_question_only_in_the_first()
    {
        using var host = new TransferTestHost(maxMessageSize: 300);

        var responses = await host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr)).Bytes);

        Assert.True(responses.Count > 3, $"{responses.Count} messages");
        var messages = responses.Select(r => DnsMessage.Parse(r)).ToList();
        Assert.All(responses, r => Assert.True(r.Length <= 300 + 12 + 64, $"{r.Length} bytes"));
        Assert.Single(messages[0].Questions);
        Assert.All(messages.Skip(1), m => Assert.Empty(m.Questions));
        var all = messages.SelectMany(m => m.AnswerRecords).ToList();
        Assert.IsType<SoaRecord>(all[0]);
        Assert.IsType<SoaRecord>(all[^1]);

        var whole = DnsMessage.Parse(Assert.Single(await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr)).Bytes)));
        Assert.Equal(DnsTestView.Lines(whole.AnswerRecords), DnsTestView.Lines(all));
    }

    [Fact]
    public async Task Axfr_over_udp_is_a_format_error()
    {
        var response = DnsMessage.Parse(Assert.Single(await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr)).Bytes, tcp: false)));

        Assert.Equal(ReturnCode.FormatError, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public async Task Ixfr_from_a_current_client_gets_the_soa_alone()
    {
        var serial = _host.View.Current.Serial("svc.example.");

        var response = DnsMessage.Parse(Assert.Single(await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Ixfr, serial)).Bytes)));

        Assert.Equal(serial, Assert.IsType<SoaRecord>(Assert.Single(response.AnswerRecords)).SerialNumber);
    }

    [Fact]
    public async Task Ixfr_from_a_client_behind_gets_the_whole_zone_over_tcp_and_the_soa_alone_over_udp()
    {
        var serial = _host.View.Current.Serial("svc.example.");
        var query = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Ixfr, serial - 1)).Bytes;

        var tcp = DnsMessage.Parse(Assert.Single(await _host.AskAsync(query)));
        var udp = DnsMessage.Parse(Assert.Single(await _host.AskAsync(query, tcp: false)));

        // AXFR format (RFC 1995 §4): SOA, everything, SOA; the client tells it from an IXFR by the second record.
        Assert.True(tcp.AnswerRecords.Count > 10);
        Assert.IsType<SoaRecord>(tcp.AnswerRecords[0]);
        Assert.IsNotType<SoaRecord>(tcp.AnswerRecords[1]);
        Assert.IsType<SoaRecord>(tcp.AnswerRecords[^1]);
        Assert.Equal(serial, Assert.IsType<SoaRecord>(Assert.Single(udp.AnswerRecords)).SerialNumber);
    }

    [Fact]
    public async Task Ixfr_without_the_clients_soa_is_a_format_error()
    {
        var response = DnsMessage.Parse(Assert.Single(await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Ixfr)).Bytes)));

        Assert.Equal(ReturnCode.FormatError, response.ReturnCode);
    }

    [Fact]
    public async Task Peers_outside_the_allow_list_are_refused_and_a_zone_not_served_is_notauth()
    {
        var query = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr)).Bytes;

        var stranger = DnsMessage.Parse(Assert.Single(await _host.AskAsync(query, TransferTestHost.Stranger)));
        var elsewhere = DnsMessage.Parse(Assert.Single(await _host.AskAsync(TransferTestHost.Encode(TransferTestHost.Query("hosts.svc.example.", RecordType.Axfr)).Bytes)));

        Assert.Equal(ReturnCode.Refused, stranger.ReturnCode);
        Assert.Empty(stranger.AnswerRecords);
        Assert.Equal(ReturnCode.NotAuthoritive, elsewhere.ReturnCode);
    }

    [Theory]
    [InlineData("", "10.1.2.3", false)]
    [InlineData("10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.4", false)]
    [InlineData("10.0.0.0/8", "10.200.0.1", true)]
    [InlineData("10.0.0.0/8", "::ffff:10.200.0.1", true)]
    [InlineData("2001:db8::/32", "2001:db8::7", true)]
    [InlineData("key:xfer-key", "10.1.2.3", false)]
    public void The_allow_list_matches_addresses_and_networks(string allow, string peer, bool allowed)
    {
        Assert.True(Registry.Server.Dns.Transfer.TransferAccess.TryParse(allow, out var access, out _));

        Assert.Equal(allowed, access.Allows(System.Net.IPAddress.Parse(peer), key: null));
        Assert.Equal(allow.StartsWith("key:", StringComparison.Ordinal), access.Allows(System.Net.IPAddress.Parse(peer), TransferTestHost.Key) && !allowed);
    }

    [Fact]
    public void Bad_allow_list_entries_are_all_reported()
    {
        Assert.False(Registry.Server.Dns.Transfer.TransferAccess.TryParse("10.0.0.0/33, nonsense, key:, 10.1.2.3", out _, out var errors));

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public async Task A_signed_transfer_from_a_stranger_is_allowed_by_its_key_and_every_message_is_signed_in_a_chain()
    {
        using var host = new TransferTestHost(allow: "key:xfer-key", maxMessageSize: 400);
        var (query, requestMac) = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr), TransferTestHost.Key);

        var responses = await host.AskAsync(query, TransferTestHost.Stranger);

        Assert.True(responses.Count > 1);
        var prior = requestMac;
        for (var i = 0; i < responses.Count; i++)
        {
            var message = DnsMessage.Parse(responses[i]);
            Assert.Equal(ReturnCode.NoError, message.ReturnCode);
            var result = host.Verifier.Verify(responses[i], message.TSigOptions!, prior, timersOnly: i > 0);
            Assert.Equal(ReturnCode.NoError, result.Error);
            prior = result.Mac;
        }
    }

    [Fact]
    public async Task A_transfer_signed_with_a_key_not_in_the_allow_list_is_refused()
    {
        using var host = new TransferTestHost(allow: "key:xfer-key");
        var (query, _) = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr), TransferTestHost.OtherKey);

        var response = DnsMessage.Parse(Assert.Single(await host.AskAsync(query, TransferTestHost.Stranger)));

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.NotNull(response.TSigOptions); // still signed: the key verified
    }

    [Fact]
    public async Task A_query_signed_with_an_unknown_key_gets_notauth_badkey_unsigned()
    {
        var unknown = new Registry.Server.Dns.Transfer.TsigKey(DomainName.Parse("nobody."), TSigAlgorithm.Sha256, [1, 2, 3]);
        var (query, _) = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr), unknown);

        var response = DnsMessage.Parse(Assert.Single(await _host.AskAsync(query)));

        Assert.Equal(ReturnCode.NotAuthoritive, response.ReturnCode);
        Assert.Equal(ReturnCode.BadKey, response.TSigOptions!.Error);
        Assert.Empty(response.TSigOptions.Mac);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public async Task A_query_with_a_wrong_mac_gets_notauth_badsig()
    {
        var (query, _) = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr), TransferTestHost.Key, secret: [9, 9, 9, 9]);

        var response = DnsMessage.Parse(Assert.Single(await _host.AskAsync(query)));

        Assert.Equal(ReturnCode.NotAuthoritive, response.ReturnCode);
        Assert.Equal(ReturnCode.BadSig, response.TSigOptions!.Error);
        Assert.Empty(response.TSigOptions.Mac);
    }

    [Fact]
    public async Task A_query_signed_too_long_ago_gets_notauth_badtime_signed_with_our_time()
    {
        var (query, requestMac) = TransferTestHost.Encode(TransferTestHost.Query("svc.example.", RecordType.Axfr), TransferTestHost.Key, DateTime.UtcNow.AddHours(-1));

        var bytes = Assert.Single(await _host.AskAsync(query));
        var response = DnsMessage.Parse(bytes);

        Assert.Equal(ReturnCode.NotAuthoritive, response.ReturnCode);
        Assert.Equal(ReturnCode.BadTime, response.TSigOptions!.Error);
        Assert.Equal(6, response.TSigOptions.OtherData.Length);

        // Signed: the MAC checks out (its own time is the request's, an hour old, so the check itself says BADTIME).
        Assert.Equal(ReturnCode.BadTime, _host.Verifier.Verify(bytes, response.TSigOptions, requestMac).Error);
    }

    [Fact]
    public async Task A_signed_plain_query_is_answered_by_the_responder_and_signed()
    {
        var (query, requestMac) = TransferTestHost.Encode(TransferTestHost.Query("_web._tcp.svc.example.", RecordType.Srv), TransferTestHost.Key);

        var bytes = Assert.Single(await _host.AskAsync(query, TransferTestHost.Stranger, tcp: false));
        var response = DnsMessage.Parse(bytes);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(2, response.AnswerRecords.Count);
        Assert.Equal(ReturnCode.NoError, _host.Verifier.Verify(bytes, response.TSigOptions!, requestMac).Error);
    }
}
