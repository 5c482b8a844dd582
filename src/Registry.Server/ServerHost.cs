using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.Zones;
using Registry.Server.Configuration;
using Registry.Server.Dns;
using Registry.Server.Dns.Transfer;
using Registry.Server.Dns.Transport;
using Registry.Server.Embedded;
using Registry.Server.Grpc;
using Registry.Server.Grpc.Auth;
using Registry.Server.Http;
using Registry.Server.Views;
using Registry.ZooKeeper;

namespace Registry.Server;

/// <summary>
/// Starts the server: settings, zone files (a server never starts on a bad zone: it would have no last good one),
/// the embedded ZooKeeper when asked, then the web host with the view services and the HTTP API. Returns the exit code.
/// </summary>
internal static partial class ServerHost
{
    public static async Task<int> RunAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (ServerOptionsReader.Read(configuration, out var errors) is not { } options)
        {
            foreach (var error in errors)
            {
                await Console.Error.WriteLineAsync($"registry-server: {error}").ConfigureAwait(false);
            }

            return ExitCodes.BadSettings;
        }

        var startFailed = new StrongBox<bool>();
        using var loggers = CreateLoggers(options, configuration, startFailed);
        var logger = loggers.CreateLogger("Registry.Server");
        if (!TryLoadZones(options, logger, out var zones, out var defaultZone))
        {
            return ExitCodes.StartFailed;
        }

        if (!TryLoadTokens(options, logger, out var tokens))
        {
            return ExitCodes.StartFailed;
        }

        EmbeddedZooKeeper? embedded = null;
        try
        {
            Directory.CreateDirectory(options.DataDir);
            if (options.UsesEmbeddedZooKeeper)
            {
                embedded = await EmbeddedZooKeeper.StartAsync(options.DataDir, options.EmbeddedPort, loggers.CreateLogger<EmbeddedZooKeeper>(), cancellationToken).ConfigureAwait(false);
            }

            var connectString = embedded?.ConnectString ?? options.ZooKeeper!;
            var app = Build(options, configuration, loggers, zones, defaultZone, tokens, connectString);
            await using (app.ConfigureAwait(false))
            {
                Log.Starting(logger, connectString, options.Zones, defaultZone, string.Join(", ", options.Listen), options.GrpcListen.Count == 0 ? "off" : string.Join(", ", options.GrpcListen.Select(u => u.ToString().TrimEnd('/'))), options.DnsListen.Count == 0 ? "off" : string.Join(", ", options.DnsListen), options.BasePath);
                LogCredential(options, logger);
                try
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Said once, below. Background services the host cancels before they ran would otherwise be
                    // reported by the host as crashes while it is disposed (a race in its failed-start path).
                    Volatile.Write(ref startFailed.Value, true);
                    throw;
                }

                await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (EmbeddedZooKeeperException e)
        {
            Log.StartFailed(logger, e.Message);
            return ExitCodes.StartFailed;
        }
        catch (Exception e) when (AddressInUse(e) is { } taken)
        {
            Log.StartFailed(logger, taken.Message.Contains("--dns-listen", StringComparison.Ordinal) ? taken.Message : $"{taken.Message} (choose other addresses with --listen and --grpc-listen)");
            return ExitCodes.StartFailed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.Crashed(logger, e);
            return ExitCodes.StartFailed;
        }
        finally
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static WebApplication Build(
        ServerOptions options,
        IConfiguration configuration,
        ILoggerFactory loggers,
        ZoneSet zones,
        string defaultZone,
        TokenSet? tokens,
        string connectString)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "registry-server" });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls([.. options.Listen, .. options.GrpcListen.Select(u => u.ToString())]);
        GrpcHosting.ConfigureKestrel(builder.WebHost, options);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        var serials = RestoreSerials(options, loggers.CreateLogger<SerialPersister>());
        builder.Services.AddSingleton(sp => new LiveView(zones, defaultZone, options.Policy, sp.GetRequiredService<TimeProvider>(), serials));
        // The one set of client options: every session the server opens (the watcher's, the leases') derives from it,
        // so each presents the credential, and so does every new session after an expiry.
        builder.Services.AddSingleton(new ZooKeeperClientOptions
        {
            ConnectString = connectString,
            SessionTimeout = options.SessionTimeout,
            Credentials = options.ZooKeeperCredentials,
            LoggerFactory = loggers,
        });
        builder.Services.AddSingleton<ViewService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ViewService>());
        builder.Services.AddHostedService<DnsFacadeService>();
        builder.Services.AddSingleton(new DnsResponder(new DnsAnswerOptions { DynamicTtl = options.DnsTtl }));
        builder.Services.AddSingleton<IDnsSpecialQueryHandler, SpecialQueryHandler>();
        builder.Services.AddHostedService<NotifyService>();
        builder.Services.AddHostedService<SerialPersister>();
        builder.Services.AddSingleton<ZoneReloader>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ZoneReloader>());

        GrpcHosting.AddServices(builder.Services, options, tokens);

        var app = builder.Build();
        app.MapViewEndpoints();
        app.MapFacadeEndpoints();
        GrpcHosting.Map(app, options);
        return app;
    }

    /// <summary>Says which identity the server's ZooKeeper sessions present, and warns when its secret is open to every user.</summary>
    private static void LogCredential(ServerOptions options, ILogger logger)
    {
        if (options.ZooKeeperAuthFile is not { } file)
        {
            return;
        }

        Log.Credential(logger, string.Join(", ", options.ZooKeeperCredentials), file);
        try
        {
            if (Discovery.ZooKeeperAuthFile.IsReadableByEveryone(file))
            {
                Log.CredentialFileOpen(logger, file);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Read a moment ago; if its mode cannot be read now there is nothing to warn about.
        }
    }

    /// <summary>The serials the last run published, so that this one starts above them; null when unknown.</summary>
    private static Dictionary<string, uint>? RestoreSerials(ServerOptions options, ILogger logger)
    {
        try
        {
            var serials = SerialStore.Load(options.SerialFile);
            if (serials is not null)
            {
                TransferLog.SerialsRestored(logger, options.SerialFile, string.Join(", ", serials.Select(s => $"{s.Key} {s.Value}")));
            }

            // Past what a crash could have published unsaved (see SerialPersister.CrashMargin), so a secondary that
            // transferred in that window still sees the restarted server's serial as newer.
            return serials?.ToDictionary(s => s.Key, s => unchecked(s.Value + SerialPersister.CrashMargin), StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            TransferLog.SerialsRestoreFailed(logger, options.SerialFile, e.Message);
            return null;
        }
    }

    private static bool TryLoadZones(ServerOptions options, ILogger logger, out ZoneSet zones, out string defaultZone)
    {
        zones = ZoneSet.Empty;
        defaultZone = "";
        try
        {
            zones = ZoneLoader.Load(options.Zones);
        }
        catch (ZoneLoadException e)
        {
            foreach (var error in e.Errors)
            {
                Log.ZoneError(logger, error.ToString());
            }

            Log.StartFailed(logger, $"the zone files in {options.Zones} have {e.Errors.Count} error(s); fix them and start again");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.StartFailed(logger, $"{e.Message} (set the zones directory with --zones; an empty one with --default-zone serves registrations only)");
            return false;
        }

        var origins = zones.Zones.Select(z => z.Origin.EndsWith('.') ? z.Origin : z.Origin + ".").ToList();
        if (options.DefaultZone is { } configured)
        {
            defaultZone = configured;
            if (!origins.Contains(configured, StringComparer.OrdinalIgnoreCase))
            {
                Log.DefaultZoneWithoutFile(logger, configured, options.Zones);
            }
        }
        else if (ForwardZones(origins) is [var only])
        {
            defaultZone = only.ToLowerInvariant();
        }
        else
        {
            var forward = ForwardZones(origins);
            Log.StartFailed(logger, forward.Count == 0
                ? $"no forward zone files (*.zone) in {options.Zones}: say which zone registered services are published in with --default-zone"
                : $"{forward.Count} zones in {options.Zones} ({string.Join(", ", forward)}): say which one registered services are published in with --default-zone");
            return false;
        }

        foreach (var zone in zones.Zones)
        {
            Log.ZoneLoaded(logger, zone.Origin, zone.Serial, zone.File, zone.Records.Count, zone.Services.Count);
        }

        return true;
    }

    private static ILoggerFactory CreateLoggers(ServerOptions options, IConfiguration configuration, StrongBox<bool> startFailed) =>
        LoggerFactory.Create(logging =>
        {
            logging.AddConfiguration(configuration.GetSection("Logging"));
            logging.SetMinimumLevel(options.LogLevel);

            // Kestrel and routing are chatty at Information; their warnings still show.
            logging.AddFilter("Microsoft", LogLevel.Warning);

            // grpc-dotnet logs every refused call's status detail at Information, unthrottled, with a stack trace when a
            // client cancels; the server's own events say what was refused (rate-limited) and its warnings still show.
            logging.AddFilter("Grpc", LogLevel.Warning);

            // The host logs a failed start with its stack trace; ServerHost reports it once, in one line when it can.
            // Its Critical events (a background service crashed) still show, except after a failed start.
            logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Critical && !Volatile.Read(ref startFailed.Value));
            if (options.JsonLogs)
            {
                logging.AddJsonConsole(o =>
                {
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                });
            }
            else
            {
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                });
            }
        });

    /// <summary>
    /// The "address already in use" failure in <paramref name="e"/>, or null. The host may report it wrapped in an
    /// <see cref="AggregateException"/> beside the cancellation of services that were starting at the same time.
    /// </summary>
    private static IOException? AddressInUse(Exception e)
    {
        var failures = e is AggregateException aggregate ? aggregate.Flatten().InnerExceptions : [e];
        return failures.OfType<IOException>().FirstOrDefault(io =>
            io.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException || io.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The zones services can be published in: reverse zones (PTR for registered addresses) never are.</summary>
    private static List<string> ForwardZones(List<string> origins) =>
        [.. origins.Where(o => !o.EndsWith(".in-addr.arpa.", StringComparison.OrdinalIgnoreCase) && !o.EndsWith(".ip6.arpa.", StringComparison.OrdinalIgnoreCase))];

    private static partial class Log
    {
        [LoggerMessage(4401, LogLevel.Information, "registry-server starting: zookeeper {ConnectString}, zones {Zones}, default zone {DefaultZone}, http {Listen}, grpc {GrpcListen}, dns {DnsListen}, base path {BasePath}")]
        public static partial void Starting(ILogger logger, string connectString, string zones, string defaultZone, string listen, string grpcListen, string dnsListen, string basePath);

        [LoggerMessage(4402, LogLevel.Critical, "cannot start: {Reason}")]
        public static partial void StartFailed(ILogger logger, string reason);

        [LoggerMessage(4403, LogLevel.Error, "zone error: {Error}")]
        public static partial void ZoneError(ILogger logger, string error);

        [LoggerMessage(4404, LogLevel.Information, "zone {Origin} serial {Serial} loaded from {File}: {Records} records, {Services} declared services")]
        public static partial void ZoneLoaded(ILogger logger, string origin, uint serial, string file, int records, int services);

        [LoggerMessage(4406, LogLevel.Critical, "the server failed")]
        public static partial void Crashed(ILogger logger, Exception exception);

        [LoggerMessage(4407, LogLevel.Information, "ZooKeeper sessions present the credential {Credential} (from {File})")]
        public static partial void Credential(ILogger logger, string credential, string file);

        [LoggerMessage(4408, LogLevel.Warning, "the ZooKeeper credential file {File} is readable by every user of this machine; make it readable by the server only (chmod 600)")]
        public static partial void CredentialFileOpen(ILogger logger, string file);

        [LoggerMessage(4405, LogLevel.Warning, "default zone {Zone} has no zone file in {Zones}: registered services are published there as dynamic only")]
        public static partial void DefaultZoneWithoutFile(ILogger logger, string zone, string zones);
    }
}
