using System.Text;
using System.Text.Json;
using Registry.Core.Instances;
using Registry.Core.Names;

namespace Registry.Core.Tests.Instances;

public class ServiceInstanceCodecRoundTripTests
{
    private static readonly string[] ServiceTypes = ["DYNAMIC", "DYNAMIC_SEQUENTIAL", "STATIC", "PERMANENT"];

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (var seed = 1; seed <= 48; seed++)
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Decode_of_encode_gives_back_every_field(int seed)
    {
        var random = new Random(seed);
        var instance = Generate(random);
        var source = new ZnodeSource($"/services/{instance.Service}/{instance.Id}", random.NextInt64(), random.NextInt64(), random.NextInt64());

        var bytes = ServiceInstanceCodec.Encode(instance);
        var result = ServiceInstanceCodec.Decode(bytes, instance.Service.Value, instance.Id, source);

        Assert.True(result.IsSuccess, $"{result.Error}\n{Encoding.UTF8.GetString(bytes)}");
        AssertSame(instance with { Source = source }, result.Instance);

        // Encoding is a function of the instance: a second trip writes the same bytes.
        Assert.Equal(bytes, ServiceInstanceCodec.Encode(result.Instance with { Source = null }));
    }

    [Fact]
    public void Encode_writes_curator_shape_and_omits_defaults()
    {
        var instance = new ServiceInstance
        {
            Service = ServiceName.Parse("web"),
            Id = "i1",
            Address = "10.0.0.1",
            Port = 8080,
            RegisteredAt = DateTimeOffset.FromUnixTimeMilliseconds(1700000000123),
        };

        var json = Encoding.UTF8.GetString(ServiceInstanceCodec.Encode(instance));

        Assert.Equal(
            """{"name":"web","id":"i1","address":"10.0.0.1","port":8080,"sslPort":null,"payload":{},"registrationTimeUTC":1700000000123,"serviceType":"DYNAMIC","uriSpec":null,"enabled":true}""",
            json);
    }

    [Fact]
    public void Encode_writes_every_set_registry_field()
    {
        var instance = new ServiceInstance
        {
            Service = ServiceName.Parse("web"),
            Id = "i1",
            Hostname = "ap1.hosts.example.",
            Priority = 0,
            Weight = 5,
            Protocol = "udp",
            Ports = new Dictionary<string, int> { ["http"] = 80 },
            Status = InstanceStatus.OutOfService,
            Metadata = new Dictionary<string, string> { ["a"] = "b" },
            ServiceType = "STATIC",
            UriSpec = """{"parts":[]}""",
        };

        var json = Encoding.UTF8.GetString(ServiceInstanceCodec.Encode(instance));

        Assert.Equal(
            """{"name":"web","id":"i1","address":null,"port":null,"sslPort":null,"payload":{"priority":0,"weight":5,"protocol":"udp","hostname":"ap1.hosts.example.","ports":{"http":80},"status":"OUT_OF_SERVICE","metadata":{"a":"b"}},"serviceType":"STATIC","uriSpec":{"parts":[]},"enabled":false}""",
            json);
    }

    [Theory]
    [InlineData("{scheme}", "UriSpec is not valid JSON: ")]
    [InlineData("[1]", "UriSpec must be a JSON object: [1]")]
    [InlineData("\"x\"", "UriSpec must be a JSON object: ")]
    public void Encode_rejects_a_uri_spec_that_is_not_a_json_object(string uriSpec, string messageStart)
    {
        var instance = new ServiceInstance { Service = ServiceName.Parse("web"), Id = "i1", Address = "10.0.0.1", UriSpec = uriSpec };

        var e = Assert.Throws<ArgumentException>(() => ServiceInstanceCodec.Encode(instance));
        Assert.StartsWith(messageStart, e.Message, StringComparison.Ordinal);
    }

    private static ServiceInstance Generate(Random random)
    {
        var hostname = random.Next(3) == 0 ? $"{Label(random, lower: true)}.{Label(random, lower: true)}.example." : null;
        var address = random.Next(4) switch
        {
            0 when hostname is not null => null,
            0 or 1 => $"{random.Next(256)}.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}",
            2 => $"2001:db8::{random.Next(0x10000):x}",
            _ => $"{Label(random, lower: false)}.example.com",
        };

        var ports = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = random.Next(4); i > 0; i--)
        {
            ports[Label(random, lower: false)] = random.Next(1, 65536);
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = random.Next(4); i > 0; i--)
        {
            // Quotes, backslashes, control characters and non-ASCII must survive escaping.
            metadata[Text(random)] = Text(random);
        }

        return new ServiceInstance
        {
            Service = ServiceName.Parse(Label(random, lower: false)),
            Id = Label(random, lower: false),
            Address = address,
            Port = random.Next(3) == 0 ? null : random.Next(1, 65536),
            SslPort = random.Next(2) == 0 ? null : random.Next(1, 65536),
            Priority = random.Next(3) == 0 ? null : random.Next(0, 65536),
            Weight = random.Next(3) == 0 ? null : random.Next(0, 65536),
            Protocol = random.Next(2) == 0 ? "tcp" : "udp",
            Hostname = hostname,
            Ports = ports,
            Status = (InstanceStatus)random.Next(3),
            Metadata = metadata,
            RegisteredAt = random.Next(4) == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(0, 4_102_444_800_000)),
            ServiceType = ServiceTypes[random.Next(ServiceTypes.Length)],
            UriSpec = random.Next(2) == 0 ? null : JsonSerializer.Serialize(new Dictionary<string, string> { ["scheme"] = Text(random) }),
        };
    }

    private static string Label(Random random, bool lower)
    {
        var alphabet = lower ? "abcdefghijklmnopqrstuvwxyz0123456789" : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        var chars = new char[random.Next(1, 64)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = i > 0 && i < chars.Length - 1 && random.Next(8) == 0 ? '-' : alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static string Text(Random random)
    {
        const string Alphabet = "abcXYZ019 \"\\/\n\t\u0001<>&'é日本\U0001F600";
        var builder = new StringBuilder();
        for (var i = random.Next(0, 12); i > 0; i--)
        {
            var start = random.Next(Alphabet.Length);

            // Never split the emoji's surrogate pair: lone surrogates are not valid strings.
            if (char.IsLowSurrogate(Alphabet[start]))
            {
                start--;
            }

            builder.Append(Alphabet, start, char.IsHighSurrogate(Alphabet[start]) ? 2 : 1);
        }

        return builder.ToString();
    }

    private static void AssertSame(ServiceInstance expected, ServiceInstance actual)
    {
        Assert.Equal(expected.Service.Value, actual.Service.Value);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Address, actual.Address);
        Assert.Equal(expected.Port, actual.Port);
        Assert.Equal(expected.SslPort, actual.SslPort);
        Assert.Equal(expected.Priority, actual.Priority);
        Assert.Equal(expected.Weight, actual.Weight);
        Assert.Equal(expected.Protocol, actual.Protocol);
        Assert.Equal(expected.Hostname, actual.Hostname);
        Assert.Equal(expected.Ports.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Ports.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.RegisteredAt, actual.RegisteredAt);
        Assert.Equal(expected.ServiceType, actual.ServiceType);
        Assert.Equal(expected.UriSpec, actual.UriSpec);
        Assert.Equal(expected.Source, actual.Source);

        // Every property is compared above; a new one must be added here (the record's own Equals compares the
        // dictionaries by reference, so it cannot be used).
        Assert.Equal(16, typeof(ServiceInstance).GetProperties().Count(p => p.Name != nameof(ServiceInstance.IsDrained)));
    }
}
