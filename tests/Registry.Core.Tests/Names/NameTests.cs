using Registry.Core.Names;

namespace Registry.Core.Tests.Names;

public class NameTests
{
    [Theory]
    [InlineData("web")]
    [InlineData("Web-2")]
    [InlineData("3com")]
    [InlineData("a")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bc")]
    public void Valid_labels(string label) => Assert.Null(DnsLabel.Check(label));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-web", "starts or ends with '-'")]
    [InlineData("web-", "starts or ends with '-'")]
    [InlineData("we_b", "character '_' at position 2")]
    [InlineData("web.example", "character '.' at position 3")]
    [InlineData("wéb", "character 'é' at position 1")]
    [InlineData("a\u0001", "character 'U+0001' at position 1")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bcd", "64 characters long")]
    public void Invalid_labels_say_why(string label, string reason) =>
        Assert.Contains(reason, DnsLabel.Check(label), StringComparison.Ordinal);

    [Fact]
    public void Service_names_compare_like_dns_names_and_keep_their_spelling()
    {
        var mixed = ServiceName.Parse("WebShop");
        Assert.Equal(ServiceName.Parse("webshop"), mixed);
        Assert.Equal(ServiceName.Parse("WEBSHOP").GetHashCode(), mixed.GetHashCode());
        Assert.Equal("WebShop", mixed.Value);
        Assert.True(ServiceName.Parse("alpha") < ServiceName.Parse("Beta"));
    }

    [Fact]
    public void Parse_rejects_with_the_reason()
    {
        var ex = Assert.Throws<FormatException>(() => ServiceName.Parse("web_shop"));
        Assert.Equal("invalid service name 'web_shop': character '_' at position 3 is not a letter, digit or inner '-'", ex.Message);
        Assert.False(ServiceName.TryParse(null, out _, out var error));
        Assert.Equal("it is empty", error);
    }
}
