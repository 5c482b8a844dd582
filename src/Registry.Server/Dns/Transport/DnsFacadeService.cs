using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Server.Configuration;
using Registry.Server.Views;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// The authoritative DNS facade on UDP and TCP (issue 4 §1, §3): our own transport in front of
/// <see cref="DnsResponder"/>. <see cref="DnsQueryProcessor"/> decides what serves each query: the answer cache of the
/// current view snapshot (fast path), ARSoft's parser and the responder (slow path), or the
/// <see cref="IDnsSpecialQueryHandler"/> (transfers, TSIG). Each query is answered from the view current when it
/// arrives, without locking.
/// </summary>
/// <remarks>
/// The sockets are bound in <see cref="StartAsync"/>, so a taken port fails the server's start instead of leaving a
/// registry running without DNS.
/// </remarks>
internal sealed class DnsFacadeService : IHostedService, IAsyncDisposable
{
    private readonly ServerOptions _options;
    private readonly ILogger<DnsFacadeService> _logger;
    private readonly IDnsSpecialQueryHandler? _special;
    private readonly DnsQueryProcessor _processor;
    private readonly List<IAsyncDisposable> _listeners = [];

    /// <param name="view">The live view.</param>
    /// <param name="options">The server's settings.</param>
    /// <param name="responder">The answer engine, shared with the transfer handler so both use one index.</param>
    /// <param name="specialHandlers">The transfer/TSIG handler, when one is registered (the last one wins).</param>
    /// <param name="logger">The transport's logger.</param>
    public DnsFacadeService(LiveView view, ServerOptions options, DnsResponder responder, IEnumerable<IDnsSpecialQueryHandler> specialHandlers, ILogger<DnsFacadeService> logger)
    {
        _options = options;
        _logger = logger;
        _special = specialHandlers.LastOrDefault();
        _processor = new DnsQueryProcessor(() => view.Current, responder, Counters, logger, _special is not null);
    }

    /// <summary>What the transport has done so far.</summary>
    public DnsTransportCounters Counters { get; } = new();

    /// <summary>The endpoints bound (UDP and TCP on each), with the ports the system chose for port 0.</summary>
    internal List<IPEndPoint> Endpoints { get; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.DnsListen.Count == 0)
        {
            return;
        }

        // One receive loop per processor: each keeps one core busy answering when the queries come fast enough.
        var loops = Environment.ProcessorCount;
        var tcp = new DnsTcpOptions { IdleTimeout = _options.DnsTcpIdleTimeout, MaxConnections = _options.DnsTcpMaxConnections };
        var udpLoops = 0;
        try
        {
            foreach (var endpoint in _options.DnsListen)
            {
                var udp = DnsUdpListener.Bind(endpoint, loops, _processor, _special, Counters, _logger);
                _listeners.Add(udp);
                udpLoops = udp.Loops;
                var stream = DnsTcpListener.Bind(udp.Endpoint, _processor, _special, tcp, Counters, _logger); // the same port when the endpoint says 0
                Endpoints.Add(udp.Endpoint);
                _listeners.Add(stream);
                udp.Start();
                stream.Start();
            }
        }
        catch (SocketException e)
        {
            await StopAsync(cancellationToken).ConfigureAwait(false);
            throw new IOException($"the DNS facade cannot listen on {string.Join(", ", _options.DnsListen)}: {e.Message} (choose others with --dns-listen)", e);
        }

        DnsTransportLog.Listening(_logger, string.Join(", ", _options.DnsListen), udpLoops, tcp.MaxConnections, tcp.IdleTimeout);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_listeners.Count == 0)
        {
            return;
        }

        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
        }

        _listeners.Clear();
        Endpoints.Clear();
        DnsTransportLog.Stopped(_logger, Counters);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);
}
