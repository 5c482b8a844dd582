using System.CommandLine;
using Microsoft.Extensions.Logging;
using Registry.Discovery;
using Registry.ZooKeeper;

namespace Registry.Cli;

/// <summary>The options every zk command shares, and how they turn into a connected client.</summary>
internal static class ZkConnection
{
    public const string EnvironmentVariable = "REGISTRY_ZOOKEEPER";

    /// <summary>The same variable as registry-server's, so one environment serves both.</summary>
    public const string AuthFileVariable = "REGISTRY_ZOOKEEPER_AUTH_FILE";

    public static Option<string> ConnectString { get; } = new("--zookeeper", "-z")
    {
        Description = $"ZooKeeper connect string, e.g. zk1:2181,zk2:2181/chroot (default: ${EnvironmentVariable}, else 127.0.0.1:2181)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } value ? value : "127.0.0.1:2181",
    };

    public static Option<string?> AuthFile { get; } = new("--zookeeper-auth-file")
    {
        Description = $"File holding the credential the session presents, one line scheme:credential, e.g. digest:svc-web:s3cret (a file, so ps never shows the secret; default: ${AuthFileVariable})",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(AuthFileVariable) is { Length: > 0 } value ? value : null,
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
                    Credentials = Credentials(parse),
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

    /// <summary>The credential of <c>--zookeeper-auth-file</c>, if one is given.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or does not hold one scheme:credential line (the message never shows the secret).</exception>
    public static IReadOnlyList<AuthInfo> Credentials(ParseResult parse)
    {
        if (parse.GetValue(AuthFile) is not { Length: > 0 } file)
        {
            return [];
        }

        return ZooKeeperAuthFile.TryRead(Path.GetFullPath(file), out var credential, out var error)
            ? [credential]
            : throw new ArgumentException($"--zookeeper-auth-file: {error}");
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
