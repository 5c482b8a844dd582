using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Grpc.Auth;
using Registry.Server.Grpc.Leases;
using Registry.Server.Grpc.Watch;

namespace Registry.Server.Grpc;

/// <summary>
/// Puts gRPC on the web host: its own cleartext HTTP/2 ports (<c>--grpc-listen</c>), the registry service, server
/// reflection and <c>grpc.health.v1</c>. A cleartext port cannot offer both HTTP/1.1 and HTTP/2 (there is no TLS
/// ALPN to choose with), so gRPC never shares a port with the JSON API, which curl and browsers speak as HTTP/1.1.
/// </summary>
internal static class GrpcHosting
{
    // Two limits. grpc-dotnet's own answers RESOURCE_EXHAUSTED with a reason that names neither the method nor the
    // limit, and generic clients retry that code as "the server is busy"; an oversized request
    // is the caller's mistake, so RequestSizeInterceptor answers INVALID_ARGUMENT at the registry's limit. grpc-dotnet's
    // limit stays, higher, as a ceiling: it reads a whole message into memory before any of our code sees it, and
    // without a ceiling a client could make it buffer any size.

    /// <summary>
    /// The largest request message the registry accepts (a Register instance with its metadata fits many times over);
    /// larger ones get INVALID_ARGUMENT from <see cref="RequestSizeInterceptor"/>.
    /// </summary>
    public const int MaxRequestMessageSize = 64 * 1024;

    /// <summary>
    /// The largest message grpc-dotnet reads at all (gRPC's usual default); larger ones get RESOURCE_EXHAUSTED from
    /// grpc-dotnet before any of the registry's code runs.
    /// </summary>
    public const int MaxTransportMessageSize = 4 * 1024 * 1024;

    public static void ConfigureKestrel(IWebHostBuilder webHost, ServerOptions options)
    {
        var grpcPorts = options.GrpcListen.Select(u => u.Port).ToHashSet();
        webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ConfigureEndpointDefaults(endpoint =>
            {
                if (endpoint.EndPoint is IPEndPoint ip && grpcPorts.Contains(ip.Port))
                {
                    endpoint.Protocols = HttpProtocols.Http2;
                }
            });

            // HTTP/2 pings find a dead peer of an idle connection (a Watch heartbeat alone waits for TCP to give up).
            // Kestrel takes no delay under a second.
            var ping = TimeSpan.FromTicks(Math.Max(options.Watch.Heartbeat.Ticks, TimeSpan.TicksPerSecond));
            kestrel.Limits.Http2.KeepAlivePingDelay = ping;
            kestrel.Limits.Http2.KeepAlivePingTimeout = ping + TimeSpan.FromSeconds(5);

            // Kestrel's default of 100 concurrent streams per connection would queue the 101st Watch of a client.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 10_000;
        });
    }

    /// <param name="services">The host's services.</param>
    /// <param name="options">The server's settings.</param>
    /// <param name="tokens">The write tokens loaded at start; null when writes are open (no <c>--auth-tokens</c>).</param>
    public static void AddServices(IServiceCollection services, ServerOptions options, TokenSet? tokens)
    {
        services.AddSingleton(sp => new WriteAuthorizer(tokens, sp.GetRequiredService<ILogger<WriteAuthorizer>>()));
        services.AddHostedService<TokenReloader>();
        services.AddSingleton(options.Watch);
        services.AddSingleton<WatchHub>();
        services.AddSingleton(options.Lease);
        services.AddSingleton<LeaseRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<WatchHub>());
        // Registered as one instance: grpc-dotnet resolves an interceptor from the container before creating one per call.
        services.AddSingleton(new RequestSizeInterceptor(MaxRequestMessageSize));
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = MaxTransportMessageSize;
            o.Interceptors.Add<RequestSizeInterceptor>();
            o.EnableDetailedErrors = false;
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks().AddCheck<ViewHealthCheck>("view");
    }

    public static void Map(WebApplication app, ServerOptions options)
    {
        if (options.GrpcListen.Count == 0)
        {
            return;
        }

        app.MapGrpcService<RegistryGrpcService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();
    }
}
