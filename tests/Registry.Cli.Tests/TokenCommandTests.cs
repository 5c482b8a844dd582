using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Registry.Cli.Tests;

/// <summary><c>registryctl token hash</c> as a user runs it: the token on stdin, the token file line on stdout.</summary>
public sealed class TokenCommandTests
{
    private const string Token = "7f3c9e1a5b2d4068a1c3e5f7091b2d4f";

    [Theory]
    [InlineData(Token)]
    [InlineData(Token + "\n")]
    [InlineData(Token + "\r\n")]
    public async Task The_line_is_the_hash_of_the_token_and_its_services(string stdin)
    {
        var (code, stdout, stderr) = await RunAsync(stdin, "token", "hash", "web", "pay-*,api");

        Assert.Equal(0, code);
        Assert.Equal($"sha256:{Hex(Token)}  web,pay-*,api\n", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Without_services_it_prints_the_hash_alone()
    {
        var (code, stdout, _) = await RunAsync(Token, "token", "hash");

        Assert.Equal(0, code);
        Assert.Equal($"sha256:{Hex(Token)}\n", stdout);
    }

    [Fact]
    public async Task It_agrees_with_sha256sum_of_the_token_without_a_newline()
    {
        var (code, stdout, _) = await RunAsync(Token, "token", "hash");
        using var sum = Process.Start(new ProcessStartInfo("sh", ["-c", $"printf %s '{Token}' | sha256sum"]) { RedirectStandardOutput = true })!;
        var sha256sum = await sum.StandardOutput.ReadToEndAsync();
        await sum.WaitForExitAsync();

        Assert.Equal(0, code);
        Assert.Equal("sha256:" + sha256sum.Split(' ')[0] + "\n", stdout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("two words-and-more-characters")]
    [InlineData("line\nbreak-and-more-characters")]
    [InlineData("tökenwithnonasciicharacters")]
    public async Task Tokens_a_header_cannot_carry_are_refused_without_being_echoed(string stdin)
    {
        var (code, stdout, stderr) = await RunAsync(stdin, "token", "hash", "web");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("registryctl: the token on stdin is empty or holds", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("and-more", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_service_is_refused_and_a_short_token_warned_about()
    {
        var (code, stdout, stderr) = await RunAsync(Token, "token", "hash", "web,we_b");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("registryctl: 'we_b' is not a service name", stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = await RunAsync("hunter2", "token", "hash", "*");
        Assert.Equal(0, code);
        Assert.Equal($"sha256:{Hex("hunter2")}  *\n", stdout);
        Assert.Contains("warning: a token of 7 characters can be guessed from its hash", stderr, StringComparison.Ordinal);
    }

    private static string Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Runs registryctl with <paramref name="stdin"/> as its input; returns the exit code, stdout and stderr.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "registryctl.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
