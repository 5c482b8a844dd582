using System.Security.Cryptography;
using System.Text;
using Registry.Server.Grpc.Auth;

namespace Registry.Server.Tests.Grpc;

/// <summary>The token file (<c>--auth-tokens</c>): what it accepts, how it reports errors, and which services a token may write.</summary>
public sealed class TokenFileTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void Lines_give_each_token_hash_its_services_with_comments_and_blank_lines_skipped()
    {
        var text = $"""
            # write tokens of the staging fleet

            {Line("deploy-bot")}  web,api   # the deploy bot
            {Line("payments").ToUpperInvariant()}	pay-*, billing
            {Line("admin")} *
            """;

        var set = TokenFile.Parse(text.Replace("\n", "\r\n", StringComparison.Ordinal), "/etc/registry/tokens", Now, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(set);
        Assert.Equal(Now, set.LoadedAt);
        Assert.Equal([3, 4, 5], set.Tokens.Select(t => t.Line));
        Assert.Equal(["web", "api"], set.Tokens[0].Services.Select(p => p.Text));
        Assert.Equal(["pay-*", "billing"], set.Tokens[1].Services.Select(p => p.Text));
        Assert.Equal(3, set.Find("deploy-bot")!.Line);
        Assert.Equal(4, set.Find("payments")!.Line); // upper-case hex is the same hash
        Assert.Null(set.Find("deploy-bot "));
        Assert.Null(set.Find(""));
        Assert.Equal("sha256:" + Hex("admin")[..8], set.Find("admin")!.Id);
    }

    [Fact]
    public void Every_bad_line_is_reported_with_file_and_line_and_no_error_repeats_what_may_be_a_token()
    {
        var text = $"""
            {Line("ok")} web
            s3cr3t-plain-token web
            sha256:{Hex("short")[..60]} web
            sha256:{Hex("nothex")[..63]}g web
            {Line("lonely")}
            {Line("bad-names")} -web, we_b, a*b, pay_*, web
            {Line("ok")} api
            md5:d41d8cd98f00b204e9800998ecf8427e web
            """;

        Assert.Null(TokenFile.Parse(text, "tokens.txt", Now, out var errors));

        Assert.Collection(
            errors,
            e => Assert.StartsWith("tokens.txt:2: the line does not start with sha256:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:3: the line does not start with sha256:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:4: the line does not start with sha256:", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:5: no services", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:6: '-web' is not a service name", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:6: 'we_b' is not a service name", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:6: 'a*b' is not a service name or name-prefix followed by one '*'", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:6: 'pay_*': no service name starts with 'pay_'", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:7: the same token as line 1", e, StringComparison.Ordinal),
            e => Assert.StartsWith("tokens.txt:8: the line does not start with sha256:", e, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("s3cr3t", StringComparison.Ordinal) || e.Contains(Hex("short")[..16], StringComparison.Ordinal));
        Assert.Contains("registryctl token hash", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_a_set_without_tokens()
    {
        var set = TokenFile.Parse("# nobody may write yet\n\n", "tokens.txt", Now, out var errors);

        Assert.Empty(errors);
        Assert.Empty(set!.Tokens);
        Assert.Null(set.Find("anything"));
    }

    [Fact]
    public void A_missing_file_is_an_error_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-tokens-{Guid.NewGuid():N}");

        Assert.Null(TokenFile.Load(path, Now, out var errors));

        Assert.StartsWith($"{path}: ", Assert.Single(errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_line_from_registryctl_token_hash_is_read_as_written()
    {
        const string token = "c9b1e07d4a6f4b2e8d3a5f7c1e9b0d2a";
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "registryctl.dll"), "token", "hash", "web", "pay-*"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        using var registryctl = System.Diagnostics.Process.Start(start)!;
        await registryctl.StandardInput.WriteLineAsync(token); // as `echo "$TOKEN" |` would: the newline is not the token's
        registryctl.StandardInput.Close();
        var line = await registryctl.StandardOutput.ReadToEndAsync();
        await registryctl.WaitForExitAsync();

        var set = TokenFile.Parse("# from registryctl\n" + line, "tokens", Now, out var errors);

        Assert.Empty(errors);
        var entry = set!.Find(token);
        Assert.NotNull(entry);
        Assert.Equal(["web", "pay-*"], entry.Services.Select(p => p.Text));
    }

    /// <summary>A token file line for <paramref name="token"/>, as <c>registryctl token hash</c> prints it.</summary>
    internal static string Line(string token) => "sha256:" + Hex(token);

    private static string Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
