using System.Text;
using Registry.Core.Instances;

namespace Registry.Core.Tests.Instances;

// Whatever sits in a znode, Decode returns a failure instead of throwing (DESIGN §3: bad data never breaks the view).
public class ServiceInstanceCodecHostileInputTests
{
    private const string Sample =
        """{"name":"web","id":"i1","address":"10.1.2.3","port":8080,"sslPort":null,"payload":{"@class":"com.example.P","priority":5,"ports":{"http":8080},"metadata":{"k":"v"}},"registrationTimeUTC":1700000000123,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true}]},"enabled":true}""";

    private static InstanceDecodeResult Decode(byte[] data) => ServiceInstanceCodec.Decode(data, "web", "i1", null);

    [Theory]
    [InlineData(100)]
    [InlineData(100_000)]
    public void Deeply_nested_objects(int depth)
    {
        var json = new StringBuilder("""{"address":"10.0.0.1","payload":""");
        json.Insert(json.Length, """{"x":""", depth).Append('1').Append('}', depth + 1);

        var result = Decode(Encoding.UTF8.GetBytes(json.ToString()));

        Assert.False(result.IsSuccess);
        Assert.StartsWith("invalid JSON: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("depth", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Deeply_nested_arrays()
    {
        // Half a megabyte each way: under MaxDataLength, so the parser's depth limit is what stops it.
        var json = new string('[', 500_000) + new string(']', 500_000);

        var result = Decode(Encoding.ASCII.GetBytes(json));

        Assert.False(result.IsSuccess);
        Assert.Contains("depth", result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Ten_megabyte_string()
    {
        var json = $$$$"""{"address":"10.0.0.1","payload":{"metadata":{"blob":"{{{{new string('x', 10 * 1024 * 1024)}}}}"}}}""";

        var result = Decode(Encoding.ASCII.GetBytes(json));

        Assert.False(result.IsSuccess);
        Assert.Equal($"znode data is {json.Length} bytes; at most {ServiceInstanceCodec.MaxDataLength} are accepted", result.Error);
    }

    [Fact]
    public void Long_values_are_cut_short_in_error_messages()
    {
        var name = new string('n', 900_000);

        var result = Decode(Encoding.ASCII.GetBytes($$"""{"name":"{{name}}","address":"10.0.0.1"}"""));

        Assert.False(result.IsSuccess);
        Assert.StartsWith($"name '{name[..64]}... (900000 characters)' does not match", result.Error, StringComparison.Ordinal);
        Assert.True(result.Error.Length < 200, result.Error);
    }

    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0x61, 0x64, 0x64, 0x72, 0x65, 0x73, 0x73, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D })] // {"address":"\xFF\xFE"}
    [InlineData(new byte[] { 0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D })] // {"\xC3":1}, a truncated two-byte sequence
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0xFF })]
    public void Invalid_utf8(byte[] data)
    {
        var result = Decode(data);

        Assert.False(result.IsSuccess);
        Assert.Equal("znode data is not valid UTF-8", result.Error);
    }

    [Fact]
    public void Every_truncation_of_a_valid_document_fails_cleanly()
    {
        var bytes = Encoding.UTF8.GetBytes(Sample);
        Assert.True(Decode(bytes).IsSuccess);

        for (var length = 0; length < bytes.Length; length++)
        {
            var result = Decode(bytes[..length]);
            Assert.False(result.IsSuccess, $"prefix of {length} bytes decoded");
            Assert.False(string.IsNullOrEmpty(result.Error));
        }
    }

    [Fact]
    public void Random_corruption_never_throws()
    {
        var random = new Random(20261123);
        var original = Encoding.UTF8.GetBytes(Sample);
        const string Interesting = "{}[]\":,0123456789-.eE\\ntfu\u00ff";

        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])original.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = random.Next(3) == 0
                    ? (byte)random.Next(256)
                    : (byte)Interesting[random.Next(Interesting.Length)];
            }

            var result = Decode(bytes);
            Assert.True(result.IsSuccess ^ (result.Error is not null));
        }
    }
}
