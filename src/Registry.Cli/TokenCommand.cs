using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using Registry.Core.Names;

namespace Registry.Cli;

/// <summary>
/// <c>registryctl token hash [SERVICE...]</c>: reads a write token on stdin and prints its line for the server's
/// <c>--auth-tokens</c> file, <c>sha256:&lt;hex&gt;  web,api</c>. On stdin, not as an argument, so the token stays out
/// of the shell history and of every other user's <c>ps</c>.
/// </summary>
internal static class TokenCommand
{
    /// <summary>Below this many characters a token is short enough to guess from its unsalted hash.</summary>
    private const int ShortToken = 20;

    public static Command Create()
    {
        var services = new Argument<string[]>("services")
        {
            Description = "Services the token may register and deregister: names (web), prefixes (pay-*) or * for all, separated by spaces or commas",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var hash = new Command("hash", "Read a token on stdin (one trailing newline is ignored) and print its line for registry-server --auth-tokens") { services };
        hash.SetAction(async (p, ct) =>
        {
            var input = await Console.In.ReadToEndAsync(ct).ConfigureAwait(false);
            return await HashAsync(input, p.GetValue(services) ?? [], Console.Out, Console.Error).ConfigureAwait(false);
        });

        return new Command("token", "Write tokens of registry-server (--auth-tokens)") { hash };
    }

    /// <summary>Prints the line of <paramref name="input"/>'s token; 2 with the reason on <paramref name="error"/> when the token or a service is unusable.</summary>
    internal static async Task<int> HashAsync(string input, IReadOnlyList<string> services, TextWriter output, TextWriter error)
    {
        // echo and here-strings add a newline the token does not have; printf %s does not. Both must give the same line.
        var token = input.EndsWith("\r\n", StringComparison.Ordinal) ? input[..^2] : input.EndsWith('\n') ? input[..^1] : input;
        if (token.Length == 0 || token.Any(c => c is <= ' ' or > '~'))
        {
            // Never echoed: what was typed may be a real token with a stray character.
            await error.WriteLineAsync("registryctl: the token on stdin is empty or holds spaces, line breaks, control or non-ASCII characters, which an authorization header cannot carry").ConfigureAwait(false);
            return 2;
        }

        var patterns = services.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var pattern in patterns)
        {
            if (!ServicePattern.TryParse(pattern, out _, out var patternError))
            {
                await error.WriteLineAsync($"registryctl: {patternError}").ConfigureAwait(false);
                return 2;
            }
        }

        if (token.Length < ShortToken)
        {
            await error.WriteLineAsync($"registryctl: warning: a token of {token.Length} characters can be guessed from its hash; use a random one (openssl rand -hex 32)").ConfigureAwait(false);
        }

        var line = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        await output.WriteLineAsync(patterns.Count == 0 ? line : $"{line}  {string.Join(',', patterns)}").ConfigureAwait(false);
        return 0;
    }
}
