using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Registry.Core.Merge;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.Server.Dns.Transfer;
using Registry.ZooKeeper;

namespace Registry.Server.Configuration;

/// <summary>
/// Turns configuration (command line over environment over <c>appsettings.json</c> over defaults) into
/// <see cref="ServerOptions"/>, collecting every problem so that one run reports all of them, each naming the setting.
/// </summary>
internal static class ServerOptionsReader
{
    /// <summary>Reads and validates; returns null with <paramref name="errors"/> filled when anything is wrong.</summary>
    public static ServerOptions? Read(IConfiguration configuration, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        string Get(Setting s) => configuration[s.ConfigurationKey] is { Length: > 0 } v ? v.Trim() : s.Default ?? "";

        var zooKeeper = Get(Settings.ZooKeeper);
        string? authFile = null;
        var credentials = new List<AuthInfo>();
        if (Get(Settings.ZooKeeperAuthFile) is { Length: > 0 } authFileText)
        {
            authFile = Path.GetFullPath(authFileText);
            if (ZooKeeperAuthFile.TryRead(authFile, out var credential, out var authError))
            {
                credentials.Add(credential);
            }
            else
            {
                problems.Add($"{Settings.ZooKeeperAuthFile.Names}: {authError}");
            }
        }

        var embeddedPort = ParseInt(Settings.EmbeddedPort, Get(Settings.EmbeddedPort), 1, 65535, problems);
        var basePath = Get(Settings.BasePath);
        if (!basePath.StartsWith('/') || (basePath.Length > 1 && basePath.EndsWith('/')) || basePath.Contains("//", StringComparison.Ordinal))
        {
            problems.Add($"{Settings.BasePath.Names}: '{basePath}' is not an absolute ZooKeeper path (like /services)");
        }

        string? defaultZone = null;
        if (Get(Settings.DefaultZone) is { Length: > 0 } zone)
        {
            defaultZone = NormalizeZone(zone, problems);
        }

        var listen = Get(Settings.Listen).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var url in listen)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                problems.Add($"{Settings.Listen.Names}: '{url}' is not an http:// or https:// address (like http://127.0.0.1:8053)");
            }
        }

        if (listen.Length == 0)
        {
            problems.Add($"{Settings.Listen.Names}: at least one address is needed");
        }

        var grpcListen = ReadGrpcListen(Get(Settings.GrpcListen), listen, problems);
        var watchHeartbeat = TimeSpan.Zero;
        var heartbeatText = Get(Settings.WatchHeartbeat);
        if (!TryParseDuration(heartbeatText, out watchHeartbeat) || watchHeartbeat < TimeSpan.FromMilliseconds(100) || watchHeartbeat > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{Settings.WatchHeartbeat.Names}: '{heartbeatText}' is not a duration from 100ms to 10m (like 15s)");
        }

        var watch = new Grpc.Watch.WatchOptions
        {
            Heartbeat = watchHeartbeat,
            History = ParseInt(Settings.WatchHistory, Get(Settings.WatchHistory), 2, 1_000_000, problems),
            Buffer = ParseInt(Settings.WatchBuffer, Get(Settings.WatchBuffer), 1, 100_000, problems),
        };
        var leaseText = Get(Settings.LeaseTimeout);
        if (!TryParseDuration(leaseText, out var leaseTimeout) || leaseTimeout < TimeSpan.FromMilliseconds(100) || leaseTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{Settings.LeaseTimeout.Names}: '{leaseText}' is not a duration from 100ms to 10m (like 10s)");
        }

        var dnsListen = new List<IPEndPoint>();
        var dnsText = Get(Settings.DnsListen);
        if (!string.Equals(dnsText, "none", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var endpoint in dnsText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (IPEndPoint.TryParse(endpoint, out var parsed) && parsed.Port != 0)
                {
                    dnsListen.Add(parsed);
                }
                else
                {
                    problems.Add($"{Settings.DnsListen.Names}: '{endpoint}' is not address:port (like 127.0.0.1:5300 or [::1]:53), or 'none'");
                }
            }
        }

        var dnsTtl = ParseInt(Settings.DnsTtl, Get(Settings.DnsTtl), 0, int.MaxValue, problems);
        var dnsTcpIdle = TimeSpan.Zero;
        if (!TryParseDuration(Get(Settings.DnsTcpIdleTimeout), out dnsTcpIdle) || dnsTcpIdle < TimeSpan.FromMilliseconds(100) || dnsTcpIdle > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{Settings.DnsTcpIdleTimeout.Names}: '{Get(Settings.DnsTcpIdleTimeout)}' is not a duration from 100ms to 10m (like 10s)");
        }

        var dnsTcpMax = ParseInt(Settings.DnsTcpMaxConnections, Get(Settings.DnsTcpMaxConnections), 1, 65535, problems);

        var (transferAllow, tsigKeys, notify, notifyInterval) = ReadTransfer(Get, problems);
        var sessionTimeout = ParseDuration(Settings.SessionTimeout, Get(Settings.SessionTimeout), problems);
        var undeclared = Get(Settings.Undeclared).ToLowerInvariant() switch
        {
            "accept" => UndeclaredPolicy.Accept,
            "reject" => UndeclaredPolicy.Reject,
            var other => Invalid(UndeclaredPolicy.Accept, $"{Settings.Undeclared.Names}: '{other}' is not accept or reject", problems),
        };
        var panic = 0.0;
        if (!double.TryParse(Get(Settings.PanicThreshold), NumberStyles.Float, CultureInfo.InvariantCulture, out panic) || panic is < 0 or > 1 || double.IsNaN(panic))
        {
            problems.Add($"{Settings.PanicThreshold.Names}: '{Get(Settings.PanicThreshold)}' is not a number from 0 to 1");
        }

        var json = Get(Settings.LogFormat).ToLowerInvariant() switch
        {
            "text" => false,
            "json" => true,
            var other => Invalid(false, $"{Settings.LogFormat.Names}: '{other}' is not text or json", problems),
        };
        if (!Enum.TryParse<LogLevel>(Get(Settings.LogLevel), ignoreCase: true, out var level) || !Enum.IsDefined(level) || level == LogLevel.None)
        {
            problems.Add($"{Settings.LogLevel.Names}: '{Get(Settings.LogLevel)}' is not Trace, Debug, Information, Warning or Error");
        }

        errors = problems;
        return problems.Count > 0 ? null : new ServerOptions
        {
            ZooKeeper = string.Equals(zooKeeper, Settings.Embedded, StringComparison.OrdinalIgnoreCase) ? null : zooKeeper,
            ZooKeeperAuthFile = authFile,
            ZooKeeperCredentials = credentials,
            EmbeddedPort = embeddedPort,
            Zones = Path.GetFullPath(Get(Settings.Zones)),
            DefaultZone = defaultZone,
            BasePath = basePath,
            Listen = listen,
            GrpcListen = grpcListen,
            Watch = watch,
            Lease = new Grpc.Leases.LeaseOptions { Timeout = leaseTimeout },
            AuthTokens = Get(Settings.AuthTokens) is { Length: > 0 } tokens ? Path.GetFullPath(tokens) : null,
            DnsListen = dnsListen,
            DnsTtl = dnsTtl,
            DnsTcpIdleTimeout = dnsTcpIdle,
            DnsTcpMaxConnections = dnsTcpMax,
            TransferAllow = transferAllow,
            TsigKeys = tsigKeys,
            Notify = notify,
            NotifyInterval = notifyInterval,
            DataDir = Path.GetFullPath(Get(Settings.DataDir)),
            SessionTimeout = sessionTimeout,
            Policy = new MergePolicy { Undeclared = undeclared, PanicThreshold = panic },
            JsonLogs = json,
            LogLevel = level,
        };
    }

    /// <summary>
    /// The zone transfer settings (<c>--dns-transfer-allow</c>, <c>--dns-tsig-key</c>, <c>--dns-notify</c>,
    /// <c>--dns-notify-interval</c>); every key named must be configured. Errors never repeat a secret.
    /// </summary>
    private static (TransferAccess, IReadOnlyList<TsigKey>, IReadOnlyList<NotifyTarget>, TimeSpan) ReadTransfer(Func<Setting, string> get, List<string> problems)
    {
        var keys = new List<TsigKey>();
        foreach (var text in get(Settings.DnsTsigKey).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TsigKey.TryParse(text, out var key, out var error))
            {
                problems.Add($"{Settings.DnsTsigKey.Names}: {error}");
            }
            else if (keys.Exists(k => k.Name.Equals(key.Name)))
            {
                problems.Add($"{Settings.DnsTsigKey.Names}: key {key.Name} is given twice");
            }
            else
            {
                keys.Add(key);
            }
        }

        if (!TransferAccess.TryParse(get(Settings.DnsTransferAllow), out var access, out var accessErrors))
        {
            problems.AddRange(accessErrors.Select(e => $"{Settings.DnsTransferAllow.Names}: {e}"));
        }

        foreach (var name in access?.Keys ?? [])
        {
            if (!keys.Exists(k => k.Name.Equals(name)))
            {
                problems.Add($"{Settings.DnsTransferAllow.Names}: key:{name} is not a key of {Settings.DnsTsigKey.Option}");
            }
        }

        var notify = new List<NotifyTarget>();
        foreach (var text in get(Settings.DnsNotify).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!NotifyTarget.TryParse(text, out var target))
            {
                problems.Add($"{Settings.DnsNotify.Names}: '{text}' is not address:port or address:port@KEYNAME (like 192.0.2.7:53)");
            }
            else if (target.KeyName is { } keyName && !keys.Exists(k => k.Name.Equals(keyName)))
            {
                problems.Add($"{Settings.DnsNotify.Names}: '{text}' signs with {keyName}, which is not a key of {Settings.DnsTsigKey.Option}");
            }
            else
            {
                notify.Add(target);
            }
        }

        var intervalText = get(Settings.DnsNotifyInterval);
        if (!TryParseDuration(intervalText, out var interval) || interval > TimeSpan.FromHours(1))
        {
            problems.Add($"{Settings.DnsNotifyInterval.Names}: '{intervalText}' is not a duration up to 1h (like 1s or 500ms)");
        }

        return (access ?? TransferAccess.None, keys, notify, interval);
    }

    /// <summary>
    /// The gRPC addresses: http:// only, because they are served as HTTP/2 with prior knowledge (h2c), which a
    /// cleartext port cannot share with HTTP/1.1; so none may be a port of <c>--listen</c> either.
    /// </summary>
    private static List<Uri> ReadGrpcListen(string text, string[] httpListen, List<string> problems)
    {
        var result = new List<Uri>();
        if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
        {
            return result;
        }

        var httpPorts = httpListen.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) ? uri.Port : -1).ToHashSet();
        foreach (var url in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http" || uri.AbsolutePath != "/")
            {
                problems.Add($"{Settings.GrpcListen.Names}: '{url}' is not an http:// address (like http://127.0.0.1:8054), or 'none'");
            }
            else if (httpPorts.Contains(uri.Port))
            {
                problems.Add($"{Settings.GrpcListen.Names}: port {uri.Port} is also in {Settings.Listen.Option}; gRPC (HTTP/2 only) needs a port of its own");
            }
            else
            {
                result.Add(uri);
            }
        }

        if (result.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{Settings.GrpcListen.Names}: at least one address is needed, or 'none'");
        }

        return result;
    }

    /// <summary>Parses <c>10s</c>, <c>1500ms</c>, <c>2m</c> or plain seconds (<c>10</c>).</summary>
    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        var (number, unit) = text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (text[..^2], 0.001)
            : text.EndsWith('s') || text.EndsWith('S') ? (text[..^1], 1.0)
            : text.EndsWith('m') || text.EndsWith('M') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(value * unit);
        return true;
    }

    private static TimeSpan ParseDuration(Setting setting, string text, List<string> problems)
    {
        // ZooKeeper servers clamp sessions to [2, 20] ticks; below a second the client could not even ping in time.
        if (TryParseDuration(text, out var duration) && duration >= TimeSpan.FromSeconds(1) && duration <= TimeSpan.FromMinutes(10))
        {
            return duration;
        }

        problems.Add($"{setting.Names}: '{text}' is not a duration from 1s to 10m (like 10s or 1500ms)");
        return TimeSpan.Zero;
    }

    private static int ParseInt(Setting setting, string text, int min, int max, List<string> problems)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problems.Add($"{setting.Names}: '{text}' is not a whole number from {min} to {max}");
        return 0;
    }

    private static string? NormalizeZone(string zone, List<string> problems)
    {
        var absolute = zone.EndsWith('.') ? zone : zone + ".";
        var labels = absolute.TrimEnd('.').Split('.');
        foreach (var label in labels)
        {
            if (!DnsLabel.IsValid(label))
            {
                problems.Add($"{Settings.DefaultZone.Names}: '{zone}' is not a domain name (label '{label}' is not a valid DNS label)");
                return null;
            }
        }

        return absolute.ToLowerInvariant();
    }

    private static T Invalid<T>(T fallback, string problem, List<string> problems)
    {
        problems.Add(problem);
        return fallback;
    }
}
