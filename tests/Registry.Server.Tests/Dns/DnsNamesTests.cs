using ARSoft.Tools.Net;
using Registry.Server.Dns;

namespace Registry.Server.Tests.Dns;

/// <summary>The fast path for the view's names makes the same names ARSoft's parser does, and refuses what DNS refuses.</summary>
public sealed class DnsNamesTests
{
    [Theory]
    [InlineData("a.b.example.")]
    [InlineData("A.b.Example")]
    [InlineData("_web._tcp.svc.example.")]
    [InlineData("*.wild.example.")]
    [InlineData("ap-1.hosts.svc.example.")]
    [InlineData(".")]
    public void Plain_names_equal_the_parsed_ones_in_labels_text_and_hash(string text)
    {
        var fast = DnsNames.TryCreate(text);
        var parsed = DomainName.Parse(text);

        Assert.NotNull(fast);
        Assert.Equal(parsed, fast);
        Assert.Equal(parsed.Labels, fast.Labels);
        Assert.Equal(parsed.ToString(), fast.ToString());
        Assert.Equal(parsed.GetHashCode(), fast.GetHashCode());
    }

    [Theory]
    [InlineData("a..example.")]
    [InlineData(".example.")]
    [InlineData("")]
    public void Empty_labels_are_not_names(string text)
    {
        Assert.Null(DnsNames.TryCreate(text));
    }

    [Fact]
    public void Labels_over_63_octets_and_names_over_255_are_not_names()
    {
        Assert.NotNull(DnsNames.TryCreate(new string('a', 63) + ".example."));
        Assert.Null(DnsNames.TryCreate(new string('a', 64) + ".example."));

        // Four 62-octet labels and "a": 4 × 63 + 2 + 1 (the root) = 255 octets on the wire, the most DNS allows.
        var fits = string.Join('.', Enumerable.Repeat(new string('x', 62), 4)) + ".a.";
        Assert.NotNull(DnsNames.TryCreate(fits));
        Assert.Null(DnsNames.TryCreate("b" + fits));
    }
}
