using System.Text;
using Registry.Core.Instances;

namespace Registry.Core.Tests.Instances;

// Every rejection names the field and the rule; none throws.
public class ServiceInstanceCodecFailureTests
{
    private static readonly string LongHostname = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); // 255 chars

    public static TheoryData<string, string, string, string> Failures => new()
    {
        // json, service from path, id from path, expected error
        { "", "web", "i1", "empty znode data" },
        { "[1,2]", "web", "i1", "top-level JSON value is an array, not an object" },
        { "\"web\"", "web", "i1", "top-level JSON value is a string, not an object" },
        { "null", "web", "i1", "top-level JSON value is null, not an object" },
        { """{"name":"api","address":"10.0.0.1"}""", "web", "i1", "name 'api' does not match the service 'web' in the path" },
        { """{"name":5,"address":"10.0.0.1"}""", "web", "i1", "name must be a string, not a number" },
        { """{"id":"i2","address":"10.0.0.1"}""", "web", "i1", "id 'i2' does not match the znode name 'i1'" },
        { """{"id":"I1","address":"10.0.0.1"}""", "web", "i1", "id 'I1' does not match the znode name 'i1'" },
        { """{"id":"w","address":"10.0.0.1","serviceType":"DYNAMIC"}""", "web", "w0000000001", "id 'w' does not match the znode name 'w0000000001'" },
        { """{"address":"10.0.0.1"}""", "web", "i_1", "instance id 'i_1' is not a DNS label: character '_' at position 1 is not a letter, digit or inner '-'" },
        { """{"address":"10.0.0.1"}""", "web", "", "instance id '' is not a DNS label: it is empty" },
        { """{"address":"10.0.0.1"}""", "-web", "i1", "service name '-web' is not a DNS label: it starts or ends with '-'" },
        { """{"address":"10.0.0.1"}""", "web.v2", "i1", "service name 'web.v2' is not a DNS label: character '.' at position 3 is not a letter, digit or inner '-'" },
        { """{"address":"10.0.0.1","port":70000}""", "web", "i1", "port 70000 is outside 1..65535" },
        { """{"address":"10.0.0.1","port":0}""", "web", "i1", "port 0 is outside 1..65535" },
        { """{"address":"10.0.0.1","port":99999999999999999999}""", "web", "i1", "port 99999999999999999999 is outside 1..65535" },
        { """{"address":"10.0.0.1","port":"80"}""", "web", "i1", "port must be an integer" },
        { """{"address":"10.0.0.1","port":80.5}""", "web", "i1", "port must be an integer" },
        { """{"address":"10.0.0.1","port":8e1}""", "web", "i1", "port must be an integer" },
        { """{"address":"10.0.0.1","sslPort":-1}""", "web", "i1", "sslPort -1 is outside 1..65535" },
        { """{"address":"10.0.0.1","sslPort":true}""", "web", "i1", "sslPort must be an integer" },
        { """{"address":"10.0.0"}""", "web", "i1", "address '10.0.0' is not a valid IPv4 address" },
        { """{"address":"256.1.1.1"}""", "web", "i1", "address '256.1.1.1' is not a valid IPv4 address" },
        { """{"address":"010.0.0.1"}""", "web", "i1", "address '010.0.0.1' is not a valid IPv4 address" },
        { """{"address":"1.2.3.4.5"}""", "web", "i1", "address '1.2.3.4.5' is not a valid IPv4 address" },
        { """{"address":"fe80::1%eth0"}""", "web", "i1", "address 'fe80::1%eth0' is not a valid IPv6 address" },
        { """{"address":"[::1]"}""", "web", "i1", "address '[::1]' is not a valid IPv6 address" },
        { """{"address":"1::2::3"}""", "web", "i1", "address '1::2::3' is not a valid IPv6 address" },
        { """{"address":"10.0.0.1:80"}""", "web", "i1", "address '10.0.0.1:80' is not a valid IPv6 address" },
        { """{"address":"host_1.example"}""", "web", "i1", "address 'host_1.example' is not an IP address or a valid host name: label 'host_1': character '_' at position 4 is not a letter, digit or inner '-'" },
        { """{"address":"a..b"}""", "web", "i1", "address 'a..b' is not an IP address or a valid host name: label '': it is empty" },
        { """{"address":42}""", "web", "i1", "address must be a string, not a number" },
        { """{"port":80}""", "web", "i1", "no address or hostname" },
        { """{"address":null,"payload":{"hostname":null}}""", "web", "i1", "no address or hostname" },
        { """{"address":"","payload":null}""", "web", "i1", "no address or hostname" },
        { """{"address":"10.0.0.1","payload":{"priority":70000}}""", "web", "i1", "payload.priority 70000 is outside 0..65535" },
        { """{"address":"10.0.0.1","payload":{"priority":-1}}""", "web", "i1", "payload.priority -1 is outside 0..65535" },
        { """{"address":"10.0.0.1","payload":{"priority":"high"}}""", "web", "i1", "payload.priority must be an integer" },
        { """{"address":"10.0.0.1","payload":{"weight":"12"}}""", "web", "i1", "payload.weight must be an integer" },
        { """{"address":"10.0.0.1","payload":{"weight":1.5}}""", "web", "i1", "payload.weight must be an integer" },
        { """{"address":"10.0.0.1","payload":{"weight":65536}}""", "web", "i1", "payload.weight 65536 is outside 0..65535" },
        { """{"address":"10.0.0.1","payload":{"protocol":"sctp"}}""", "web", "i1", "payload.protocol 'sctp' must be tcp or udp" },
        { """{"address":"10.0.0.1","payload":{"protocol":6}}""", "web", "i1", "payload.protocol must be a string, not a number" },
        { """{"payload":{"hostname":"bad_host.example.com"}}""", "web", "i1", "payload.hostname 'bad_host.example.com' is not a valid DNS name: label 'bad_host': character '_' at position 3 is not a letter, digit or inner '-'" },
        { """{"payload":{"hostname":"."}}""", "web", "i1", "payload.hostname '.' is not a valid DNS name: it is the root name" },
        { """{"payload":{"hostname":""}}""", "web", "i1", "payload.hostname '' is not a valid DNS name: it is empty" },
        { """{"payload":{"hostname":"a.-b.c"}}""", "web", "i1", "payload.hostname 'a.-b.c' is not a valid DNS name: label '-b': it starts or ends with '-'" },
        { $$$"""{"payload":{"hostname":"{{{LongHostname}}}"}}""", "web", "i1", $"payload.hostname '{LongHostname[..64]}... (255 characters)' is not a valid DNS name: it is 255 characters long; a DNS name holds at most 253" },
        { $$$"""{"payload":{"hostname":"{{{new string('a', 64)}}}.example"}}""", "web", "i1", $"payload.hostname '{new string('a', 64)}... (72 characters)' is not a valid DNS name: label '{new string('a', 64)}': it is 64 characters long; a DNS label holds at most 63" },
        { """{"address":"10.0.0.1","payload":{"ports":{"http":70000}}}""", "web", "i1", "payload.ports.http 70000 is outside 1..65535" },
        { """{"address":"10.0.0.1","payload":{"ports":{"http":0}}}""", "web", "i1", "payload.ports.http 0 is outside 1..65535" },
        { """{"address":"10.0.0.1","payload":{"ports":{"http":"80"}}}""", "web", "i1", "payload.ports.http must be an integer" },
        { """{"address":"10.0.0.1","payload":{"ports":{"http":null}}}""", "web", "i1", "payload.ports.http must be an integer" },
        { """{"address":"10.0.0.1","payload":{"ports":{"_http":80}}}""", "web", "i1", "payload.ports name '_http' is not a DNS label: character '_' at position 0 is not a letter, digit or inner '-'" },
        { """{"address":"10.0.0.1","payload":{"ports":{"http":80,"HTTP":81}}}""", "web", "i1", "payload.ports names 'HTTP' more than once" },
        { """{"address":"10.0.0.1","payload":{"ports":[80]}}""", "web", "i1", "payload.ports must be an object, not an array" },
        { """{"address":"10.0.0.1","payload":{"status":"DOWN"}}""", "web", "i1", "payload.status 'DOWN' must be UP, DRAINING or OUT_OF_SERVICE" },
        { """{"address":"10.0.0.1","payload":{"metadata":["a"]}}""", "web", "i1", "payload.metadata must be an object, not an array" },
        { """{"address":"10.0.0.1","payload":[1,2,3]}""", "web", "i1", "payload array must be [className, value]" },
        { """{"address":"10.0.0.1","payload":[1,{}]}""", "web", "i1", "payload array must be [className, value]" },
        { """{"address":"10.0.0.1","payload":["a",["b",{}]]}""", "web", "i1", "payload array must be [className, value]" },
        { """{"address":"10.0.0.1","payload":["com.example.P",{"weight":-5}]}""", "web", "i1", "payload.weight -5 is outside 0..65535" },
        { """{"address":"10.0.0.1","serviceType":"EPHEMERAL"}""", "web", "i1", "serviceType 'EPHEMERAL' must be DYNAMIC, DYNAMIC_SEQUENTIAL, STATIC or PERMANENT" },
        { """{"address":"10.0.0.1","registrationTimeUTC":"yesterday"}""", "web", "i1", "registrationTimeUTC must be an integer (epoch milliseconds)" },
        { """{"address":"10.0.0.1","registrationTimeUTC":9223372036854775807}""", "web", "i1", "registrationTimeUTC 9223372036854775807 is outside the representable dates" },
        { """{"address":"10.0.0.1","uriSpec":"{scheme}://{address}"}""", "web", "i1", "uriSpec must be an object, not a string" },
        { """{"address":"10.0.0.1","enabled":"no"}""", "web", "i1", "enabled must be true or false, not a string" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Rejects_with_a_precise_reason(string json, string service, string id, string expected)
    {
        var result = ServiceInstanceCodec.Decode(Encoding.UTF8.GetBytes(json), service, id, null);

        Assert.False(result.IsSuccess);
        Assert.Null(result.Instance);
        Assert.Equal(expected, result.Error);
    }

    [Theory]
    [InlineData("""{"name":""", "Expected depth to be zero")]
    [InlineData("""{"address":"10.0.0.1",}""", "trailing comma")]
    [InlineData("""{'address':'10.0.0.1'}""", "''' is an invalid start of a property name")]
    [InlineData("""{"address":"10.0.0.1"} {}""", "'{' is invalid after a single JSON value")]
    [InlineData("   ", "The input does not contain any JSON tokens")]
    [InlineData("""{"address":"10.0.0.1"/*c*/}""", "'/' is invalid")]
    public void Unparseable_json_reports_the_parser_message(string json, string parserMessagePart)
    {
        var result = ServiceInstanceCodec.Decode(Encoding.UTF8.GetBytes(json), "web", "i1", null);

        Assert.False(result.IsSuccess);
        Assert.StartsWith("invalid JSON: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(parserMessagePart, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""{"address":"10.0.0.1","payload":{"metadata":{"k":"\uD800"}}}""")]
    [InlineData("""{"address":"10.0.0.1","payload":{"metadata":{"k":"\uDC00x"}}}""")]
    [InlineData("""{"address":"\uD83D"}""")]
    public void Escaped_lone_surrogate_is_rejected(string json)
    {
        // Valid UTF-8 that escapes half a surrogate pair has no .NET string; the runtime's wording is not pinned.
        var result = ServiceInstanceCodec.Decode(Encoding.UTF8.GetBytes(json), "web", "i1", null);

        Assert.False(result.IsSuccess);
        Assert.StartsWith("invalid JSON string: ", result.Error, StringComparison.Ordinal);
    }
}
