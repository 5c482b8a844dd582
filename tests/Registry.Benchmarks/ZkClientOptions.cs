using System.Globalization;

namespace Registry.Benchmarks;

/// <summary>
/// The arguments of <c>zk-client</c>, positional and in the same order as ZkClientBench.java's so run.sh passes one list to both.
/// </summary>
internal sealed record ZkClientOptions(
    string ConnectString,
    int Ops,
    int Inflight,
    int Payload,
    int Samples,
    string Root,
    int Warmup)
{
    public const string Usage =
        "usage: Registry.Benchmarks zk-client <connectString> [ops=50000] [inflight=1000] [payload=200] [samples=2000] [root=/bench-dotnet-<rand>] [warmup=5000]";

    /// <summary>Parses the arguments; an empty string takes the default, as in the Java tool.</summary>
    /// <exception cref="FormatException">A number is not an integer, or not positive where it must be.</exception>
    public static ZkClientOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count is < 1 or > 7 || string.IsNullOrEmpty(args[0]))
        {
            throw new FormatException(Usage);
        }

        var root = Text(5);
        return new ZkClientOptions(
            ConnectString: args[0],
            Ops: Number(1, "ops", 50_000, minimum: 1),
            Inflight: Number(2, "inflight", 1_000, minimum: 1),
            Payload: Number(3, "payload", 200, minimum: 0),
            Samples: Number(4, "samples", 2_000, minimum: 1),
            Root: root ?? "/bench-dotnet-" + (Random.Shared.NextInt64() & long.MaxValue).ToString("x", CultureInfo.InvariantCulture),
            Warmup: Number(6, "warmup", 5_000, minimum: 0));

        string? Text(int index) => args.Count > index && args[index].Length > 0 ? args[index] : null;

        int Number(int index, string name, int fallback, int minimum)
        {
            var text = Text(index);
            if (text is null)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < minimum)
            {
                throw new FormatException($"{name} must be an integer >= {minimum}, got '{text}'");
            }

            return value;
        }
    }
}
