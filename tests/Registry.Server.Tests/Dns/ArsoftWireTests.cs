using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Tests.Dns;

public sealed class ArsoftWireTests
{
    [Fact]
    public void A_response_encodes_to_the_wire_format_and_parses_back()
    {
        var name = DomainName.Parse("a.svc.example.");
        var message = new DnsMessage { TransactionID = 0x1234, IsQuery = false, IsAuthoritiveAnswer = true };
        message.Questions.Add(new DnsQuestion(name, RecordType.A, RecordClass.INet));
        message.AnswerRecords.Add(new ARecord(name, 5, IPAddress.Parse("10.0.0.1")));

        var wire = ArsoftWire.Encode(message);

        // Header: id 0x1234, QR and AA set, one question, one answer; the answer's owner compresses to the question (0xC00C).
        Assert.Equal([0x12, 0x34, 0x84, 0x00, 0, 1, 0, 1, 0, 0, 0, 0], wire.Take(12));
        Assert.Equal(12 + (15 + 4) + (2 + 10 + 4), wire.Count);
        var parsed = DnsMessage.Parse(wire);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), Assert.IsType<ARecord>(Assert.Single(parsed.AnswerRecords)).Address);
    }
}
