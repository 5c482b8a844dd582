using System.Globalization;

namespace Registry.Benchmarks;

/// <summary>The arguments of <c>watch-streams</c>: a connect string and the server's gRPC address, then <c>--name value</c> pairs.</summary>
internal sealed record WatchStreamsOptions(
    string ConnectString,
    Uri GrpcAddress,
    string BasePath,
    int Streams,
    int Connections,
    int Changes,
    int Warmup,
    int IntervalMs,
    int ServerPid,
    int OpenTimeoutSeconds,
    WatchClientKind Client)
{
    public const string Usage =
        "usage: Registry.Benchmarks watch-streams <connectString> <grpcAddress> [--base-path /services] [--streams 10000] [--connections 100] [--changes 20] [--warmup 2] [--interval-ms 300] [--server-pid PID] [--open-timeout 300] [--client h2c|grpc]";

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="FormatException">An unknown flag, a missing value, or a number out of range.</exception>
    public static WatchStreamsOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count < 2 || args[0].StartsWith('-') || args[1].StartsWith('-') || args.Count % 2 != 0)
        {
            throw new FormatException(Usage);
        }

        if (!Uri.TryCreate(args[1], UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttp)
        {
            throw new FormatException($"the gRPC address must be an http:// URL (h2c), got '{args[1]}'");
        }

        var options = new WatchStreamsOptions(args[0], address, "/services", Streams: 10_000, Connections: 100, Changes: 20, Warmup: 2, IntervalMs: 300, ServerPid: 0, OpenTimeoutSeconds: 300, Client: WatchClientKind.H2c);
        for (var i = 2; i < args.Count; i += 2)
        {
            var value = args[i + 1];
            options = args[i] switch
            {
                "--base-path" => options with { BasePath = value.StartsWith('/') ? value : throw new FormatException($"--base-path must start with '/', got '{value}'") },
                "--streams" => options with { Streams = Number(args[i], value, 1) },
                "--connections" => options with { Connections = Number(args[i], value, 1) },
                "--changes" => options with { Changes = Number(args[i], value, 1) },
                "--warmup" => options with { Warmup = Number(args[i], value, 0) },
                "--interval-ms" => options with { IntervalMs = Number(args[i], value, 0) },
                "--server-pid" => options with { ServerPid = Number(args[i], value, 0) },
                "--open-timeout" => options with { OpenTimeoutSeconds = Number(args[i], value, 1) },
                "--client" => options with
                {
                    Client = value switch
                    {
                        "h2c" => WatchClientKind.H2c,
                        "grpc" => WatchClientKind.Grpc,
                        _ => throw new FormatException($"--client must be h2c or grpc, got '{value}'"),
                    },
                },
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

/// <summary>What reads the streams: the lean HTTP/2 reader (<see cref="H2cWatchConnection"/>) or Grpc.Net.Client.</summary>
internal enum WatchClientKind
{
    H2c,
    Grpc,
}
