using Registry.Core.Names;

namespace Registry.Core.Tests.Names;

/// <summary>Service patterns, as write tokens are granted them: a name, a prefix with a trailing '*', or '*'.</summary>
public class ServicePatternTests
{
    [Theory]
    [InlineData("web", "web", true)]
    [InlineData("web", "WEB", true)]
    [InlineData("web", "web2", false)]
    [InlineData("web", "we", false)]
    [InlineData("pay-*", "pay-api", true)]
    [InlineData("pay-*", "PAY-Gateway", true)]
    [InlineData("pay-*", "pay", false)]
    [InlineData("pay-*", "payroll", false)]
    [InlineData("pay*", "payroll", true)]
    [InlineData("*", "anything", true)]
    public void Patterns_match_service_names_case_insensitively(string pattern, string service, bool matches)
    {
        Assert.True(ServicePattern.TryParse(pattern, out var parsed, out var error), error);
        Assert.Equal(matches, parsed.Matches(ServiceName.Parse(service)));
    }

    [Theory]
    [InlineData("**")]
    [InlineData("*web")]
    [InlineData("w*b")]
    [InlineData("-*")]
    [InlineData("web.example")]
    [InlineData("")]
    public void Patterns_other_than_a_name_or_a_trailing_star_are_refused(string pattern) =>
        Assert.False(ServicePattern.TryParse(pattern, out _, out _));
}
