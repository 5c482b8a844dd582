using System.Net.Sockets;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Views;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// The authoritative DNS facade on UDP and TCP. This first transport is ARSoft.Tools.Net's <see cref="DnsServer"/>:
/// it parses queries (FORMERR for malformed ones), frames TCP, and truncates UDP answers to the client's payload size;
/// each query is answered by <see cref="DnsResponder"/> from the view current when it arrives, without locking.
/// A faster path (answers pre-encoded per snapshot) is issue 4's §3.
/// </summary>
/// <remarks>
/// The sockets are bound in <see cref="StartAsync"/>, so a taken port fails the server's start instead of leaving a
/// registry running without DNS.
/// </remarks>
internal sealed partial class DnsFacadeService(LiveView view, ServerOptions options, ILogger<DnsFacadeService> logger) : IHostedService
{
    /// <summary>How long a TCP client may stay idle, in milliseconds (RFC 7766 §6.2.3: seconds, not minutes).</summary>
    private const int IdleTimeoutMs = 10_000;

    private readonly DnsResponder _responder = new(new DnsAnswerOptions { DynamicTtl = options.DnsTtl });
    private DnsServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.DnsListen.Count == 0)
        {
            return Task.CompletedTask;
        }

        var transports = options.DnsListen
            .SelectMany(endpoint => new IServerTransport[] { new UdpServerTransport(endpoint, IdleTimeoutMs), new TcpServerTransport(endpoint, IdleTimeoutMs, IdleTimeoutMs) })
            .ToArray();
        var server = new DnsServer(transports);
        server.QueryReceived += (_, e) =>
        {
            if (e.Query is DnsMessage query)
            {
                e.Response = _responder.Respond(query, view.Current);
            }

            return Task.CompletedTask;
        };
        server.ExceptionThrown += (_, e) =>
        {
            Log.QueryFailed(logger, e.Exception);
            return Task.CompletedTask;
        };

        try
        {
            server.Start();
        }
        catch (SocketException e)
        {
            throw new IOException($"the DNS facade cannot listen on {string.Join(", ", options.DnsListen)}: {e.Message} (choose others with --dns-listen)", e);
        }

        _server = server;
        Log.Listening(logger, string.Join(", ", options.DnsListen));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _server?.Stop();
        return Task.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(4501, LogLevel.Information, "DNS facade listening on {Endpoints} (UDP and TCP)")]
        public static partial void Listening(ILogger logger, string endpoints);

        [LoggerMessage(4502, LogLevel.Warning, "DNS query handling failed")]
        public static partial void QueryFailed(ILogger logger, Exception exception);
    }
}
