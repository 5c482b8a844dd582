using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Core.View;
using Registry.Server.Dns;
using static Registry.Server.Tests.Dns.DnsTestView;

namespace Registry.Server.Tests.Dns;

/// <summary>The header, the question and EDNS(0): what every response carries whatever the data (RFC 1035, 6891).</summary>
public sealed class DnsResponderProtocolTests : IDisposable
{
    private readonly DnsTestView _test = new();
    private readonly DnsResponder _responder = new(new DnsAnswerOptions());
    private readonly ViewSnapshot _view;

    public DnsResponderProtocolTests() => _view = View(_test.DefaultZones());

    public void Dispose() => _test.Dispose();

    [Fact]
    public void An_answer_copies_id_rd_and_the_question_in_its_case_and_is_authoritative_without_recursion()
    {
        var query = Query("Info.SVC.example.", RecordType.Txt, id: 0xBEEF);

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(0xBEEF, response.TransactionID);
        Assert.False(response.IsQuery);
        Assert.Equal(OperationCode.Query, response.OperationCode);
        Assert.True(response.IsRecursionDesired);
        Assert.False(response.IsRecursionAllowed);
        Assert.True(response.IsAuthoritiveAnswer);
        Assert.False(response.IsTruncated);
        var question = Assert.Single(response.Questions);
        Assert.Equal("Info.SVC.example.", question.Name.ToString());
        Assert.Equal(RecordType.Txt, question.RecordType);
        Assert.Equal(["info.svc.example. 300 IN TXT \"hello\" \"world\""], Lines(response.AnswerRecords));
        Assert.False(response.IsEDnsEnabled);
    }

    [Fact]
    public void Rd_clear_in_the_query_is_clear_in_the_response()
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.IsRecursionDesired = false;

        Assert.False(_responder.Respond(query, _view).IsRecursionDesired);
    }

    [Theory]
    [InlineData("AP1.HOSTS.SVC.EXAMPLE.")]
    [InlineData("ap1.hosts.svc.example.")]
    [InlineData("Ap1.Hosts.Svc.Example.")]
    public void Names_are_case_insensitive(string name)
    {
        var response = _responder.Respond(Query(name, RecordType.A), _view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Equal(["ap1.hosts.svc.example. 300 IN A 10.0.0.1"], Lines(response.AnswerRecords));
        Assert.Equal(name, response.Questions[0].Name.ToString());
    }

    [Theory]
    [InlineData(OperationCode.Notify)]
    [InlineData(OperationCode.Update)]
    [InlineData(OperationCode.Status)]
    [InlineData((OperationCode)1)]
    [InlineData((OperationCode)9)]
    public void An_opcode_other_than_query_is_not_implemented(OperationCode opcode)
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.OperationCode = opcode;

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.NotImplemented, response.ReturnCode);
        Assert.Equal(opcode, response.OperationCode);
        Assert.Empty(response.AnswerRecords);
        Assert.False(response.IsAuthoritiveAnswer);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void Not_exactly_one_question_is_a_format_error(int questions)
    {
        var query = new DnsMessage { TransactionID = 9 };
        for (var i = 0; i < questions; i++)
        {
            query.Questions.Add(new DnsQuestion(DomainName.Parse("info.svc.example."), RecordType.Txt, RecordClass.INet));
        }

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.FormatError, response.ReturnCode);
        Assert.Equal(9, response.TransactionID);
        Assert.Empty(response.Questions);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public void A_response_sent_to_the_server_is_a_format_error()
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.IsQuery = false;

        Assert.Equal(ReturnCode.FormatError, _responder.Respond(query, _view).ReturnCode);
    }

    [Theory]
    [InlineData(RecordClass.Chaos)]
    [InlineData(RecordClass.Hesiod)]
    [InlineData(RecordClass.None)]
    [InlineData((RecordClass)77)]
    public void A_class_other_than_in_is_refused(RecordClass recordClass)
    {
        var response = _responder.Respond(Query("info.svc.example.", RecordType.Txt, recordClass), _view);

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
        Assert.False(response.IsAuthoritiveAnswer);
    }

    [Fact]
    public void Class_any_is_answered_from_class_in()
    {
        var response = _responder.Respond(Query("info.svc.example.", RecordType.Txt, RecordClass.Any), _view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        Assert.Single(response.AnswerRecords);
    }

    [Theory]
    [InlineData("www.example.org.")]
    [InlineData("example.")]
    [InlineData(".")]
    [InlineData("xsvc.example.")]
    [InlineData("svc.example.com.")]
    public void A_name_outside_every_served_zone_is_refused_without_authority(string name)
    {
        var response = _responder.Respond(Query(name, RecordType.A), _view);

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.False(response.IsAuthoritiveAnswer);
        Assert.False(response.IsRecursionAllowed);
        Assert.Empty(response.AnswerRecords);
        Assert.Empty(response.AuthorityRecords);
        Assert.Single(response.Questions);
    }

    [Fact]
    public void The_empty_view_serves_no_zone()
    {
        Assert.Equal(ReturnCode.Refused, _responder.Respond(Query("svc.example.", RecordType.Soa), ViewSnapshot.Empty).ReturnCode);
    }

    [Theory]
    [InlineData(RecordType.Axfr, ReturnCode.Refused)]
    [InlineData(RecordType.Ixfr, ReturnCode.Refused)]
    [InlineData(RecordType.Opt, ReturnCode.FormatError)]
    [InlineData(RecordType.TSig, ReturnCode.FormatError)]
    [InlineData((RecordType)253, ReturnCode.NotImplemented)]
    public void Meta_types_are_not_answered_as_data(RecordType type, ReturnCode expected)
    {
        var response = _responder.Respond(Query("svc.example.", type), _view);

        Assert.Equal(expected, response.ReturnCode);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public void Edns_is_echoed_with_our_payload_size_version_0_and_no_options()
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.EDnsOptions = new OptRecord(4096, new UnknownOption((EDnsOptionType)65001, [1, 2, 3]));

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.NoError, response.ReturnCode);
        var opt = Assert.IsType<OptRecord>(response.EDnsOptions);
        Assert.Equal(DnsResponder.PayloadSize, opt.UdpPayloadSize);
        Assert.Equal(0, opt.Version);
        Assert.Empty(opt.Options);
        Assert.False(opt.IsDnsSecOk);
        Assert.Single(response.AdditionalRecords.OfType<OptRecord>());
        Assert.Single(response.AnswerRecords);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_do_bit_is_copied_as_rfc_3225_requires_and_no_dnssec_record_is_added(bool dnssecOk)
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.EDnsOptions = new OptRecord(1232) { IsDnsSecOk = dnssecOk };

        var response = _responder.Respond(query, _view);

        Assert.Equal(dnssecOk, response.EDnsOptions!.IsDnsSecOk);
        Assert.All(response.AnswerRecords, r => Assert.IsType<TxtRecord>(r));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    public void An_edns_version_other_than_0_is_badvers_with_an_opt_of_version_0(byte version)
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.EDnsOptions = new OptRecord(1232) { Version = version };

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.BadVersion, response.ReturnCode);
        Assert.Equal(ReturnCode.BadVersion, response.EDnsOptions!.ExtendedReturnCode);
        Assert.Equal(0, response.EDnsOptions.Version);
        Assert.Empty(response.AnswerRecords);
    }

    [Fact]
    public void Two_opt_records_are_a_format_error()
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.AdditionalRecords.Add(new OptRecord(1232));
        query.AdditionalRecords.Add(new OptRecord(512));

        Assert.Equal(ReturnCode.FormatError, _responder.Respond(query, _view).ReturnCode);
    }

    [Fact]
    public void Without_opt_in_the_query_there_is_none_in_the_response_even_for_errors()
    {
        var query = Query("info.svc.example.", RecordType.Txt);
        query.OperationCode = OperationCode.Notify;

        var response = _responder.Respond(query, _view);

        Assert.Null(response.EDnsOptions);
        Assert.Empty(response.AdditionalRecords);
    }

    [Fact]
    public void Errors_keep_the_opt_record_of_an_edns_query()
    {
        var query = Query("www.example.org.", RecordType.A);
        query.EDnsOptions = new OptRecord(1232);

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.Refused, response.ReturnCode);
        Assert.NotNull(response.EDnsOptions);
    }

    [Fact]
    public void A_query_the_engine_cannot_handle_is_answered_servfail_not_thrown()
    {
        // No parser makes this (a null question), which is the point: an unexpected failure inside the engine.
        var query = new DnsMessage { TransactionID = 77 };
        query.Questions.Add(null!);

        var response = _responder.Respond(query, _view);

        Assert.Equal(ReturnCode.ServerFailure, response.ReturnCode);
        Assert.Equal(77, response.TransactionID);
        Assert.False(response.IsQuery);
    }

    [Fact]
    public void A_negative_dynamic_ttl_is_rejected_up_front()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DnsResponder(new DnsAnswerOptions { DynamicTtl = -1 }));
    }
}
