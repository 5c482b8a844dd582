using System.CommandLine;
using Microsoft.Extensions.Logging;
using Registry.ZooKeeper;

namespace Registry.Cli;

/// <summary>The options every zk command shares, and how they turn into a connected client.</summary>
internal static class ZkConnection
{
    public const string EnvironmentVariable = "REGISTRY_ZOOKEEPER";

    public static Option<string> ConnectString { get; } = new("--zookeeper", "-z")
    {
        Description = $"ZooKeeper connect string, e.g. zk1:2181,zk2:2181/chroot (default: ${EnvironmentVariable}, else 127.0.0.1:2181)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : "127.0.0.1:2181",
    };

    public static Option<TimeSpan> SessionTimeout { get; } = new("--session-timeout")
    {
        Description = "Session timeout to ask for (default 10s)",
        Recursive = true,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = r =>
        {
            if (TryParseDuration(r.Tokens.Single().Value, out var value) && value > TimeSpan.Zero)
            {
                return value;
            }

            r.AddError($"--session-timeout: '{r.Tokens.Single().Value}' is not a positive duration (e.g. 10s, 500ms, 2m)");
            return default;
        },
    };

    public static Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log the client's connection and session events to stderr",
        Recursive = true,
    };

    public static async Task<(ZooKeeperClient Client, ILoggerFactory Loggers)> OpenAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var verbose = parse.GetValue(Verbose);
        var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ")
            .AddFilter(_ => verbose)
            .SetMinimumLevel(LogLevel.Debug));
        try
        {
            var client = await ZooKeeperClient.ConnectAsync(
                new ZooKeeperClientOptions
                {
                    ConnectString = parse.GetValue(ConnectString)!,
                    SessionTimeout = parse.GetValue(SessionTimeout),
                    InitialConnectTimeout = TimeSpan.FromSeconds(15),
                    LoggerFactory = loggers,
                },
                cancellationToken).ConfigureAwait(false);
            return (client, loggers);
        }
        catch
        {
            loggers.Dispose();
            throw;
        }
    }

    /// <summary>"10s", "500ms", "2m", or a number of seconds.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        var (number, unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], TimeSpan.FromMilliseconds(1)),
            _ when text.EndsWith('s') => (text[..^1], TimeSpan.FromSeconds(1)),
            _ when text.EndsWith('m') => (text[..^1], TimeSpan.FromMinutes(1)),
            _ => (text, TimeSpan.FromSeconds(1)),
        };
        var ok = double.TryParse(number, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount)
            && double.IsFinite(amount) && amount * unit.TotalMilliseconds < int.MaxValue;
        value = ok ? unit * amount : default;
        return ok;
    }
}
