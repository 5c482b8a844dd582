using System.Globalization;

namespace Registry.Benchmarks;

/// <summary>The arguments of <c>propagation</c>: a connect string, then <c>--name value</c> pairs.</summary>
internal sealed record PropagationOptions(
    string ConnectString,
    IReadOnlyList<int> Sizes,
    int Samples,
    int Warmup,
    int PerService,
    int Inflight,
    bool Verify)
{
    public const string Usage =
        "usage: Registry.Benchmarks propagation <connectString> [--sizes 10,1000,100000] [--samples 1000] [--warmup 200] [--per-service 100] [--inflight 1000] [--verify true]";

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="FormatException">An unknown flag, a missing value, or a number out of range.</exception>
    public static PropagationOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 1 || args[0].StartsWith('-') || args.Count % 2 != 1)
        {
            throw new FormatException(Usage);
        }

        var options = new PropagationOptions(args[0], [10, 1_000, 100_000], Samples: 1_000, Warmup: 200, PerService: 100, Inflight: 1_000, Verify: true);
        for (var i = 1; i < args.Count; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--sizes" => options with { Sizes = [.. value.Split(',').Select(s => Number("--sizes", s, 1)).Order()] },
                "--samples" => options with { Samples = Number(args[i], value, 1) },
                "--warmup" => options with { Warmup = Number(args[i], value, 0) },
                "--per-service" => options with { PerService = Number(args[i], value, 1) },
                "--inflight" => options with { Inflight = Number(args[i], value, 1) },
                "--verify" => options with { Verify = bool.TryParse(value, out var verify) ? verify : throw new FormatException($"--verify must be true or false, got '{value}'") },
                _ => throw new FormatException($"unknown option '{args[i]}'\n{Usage}"),
            };
        }

        return options;
    }

    private static int Number(string name, string text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new FormatException($"{name} must be an integer >= {minimum}, got '{text}'");
}
