using System.Net.Http;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Registry.V1;

namespace Registry.Client;

/// <summary>
/// The typed client of the registry's gRPC API: resolve a service, watch the view (reconnecting and resuming from the
/// last revision received, so the consumer sees every change exactly once or a snapshot that replaces its state), and
/// hold Register leases. Thread-safe; one instance per application.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly RegistryClientOptions _options;
    private readonly GrpcChannel[] _channels;
    private readonly CallInvoker[] _invokers;
    private int _next;

    /// <summary>A client of the servers in <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">No address is given, or the bearer token is empty or holds characters a header cannot carry.</exception>
    public RegistryClient(RegistryClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Addresses.Count == 0)
        {
            throw new ArgumentException("at least one registry server address is needed", nameof(options));
        }

        if (options.BearerToken is { } token && (token.Length == 0 || token.Any(c => c is <= ' ' or > '~')))
        {
            // Said here, once, rather than by every call failing inside the HTTP stack; the message never repeats the token.
            throw new ArgumentException("the bearer token is empty or holds spaces, control or non-ASCII characters", nameof(options));
        }

        if (options.MaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"MaxReceiveMessageSize must be positive, got {options.MaxReceiveMessageSize}", nameof(options));
        }

        _options = options;
        _channels = [.. options.Addresses.Select(address => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // Dead servers are found by pings, not by waiting for TCP to give up; many watches share a connection.
                KeepAlivePingDelay = options.KeepAlive,
                KeepAlivePingTimeout = options.KeepAlive,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = options.MaxReceiveMessageSize,
        }))];

        // A header on every call rather than call credentials: grpc-dotnet drops call credentials on http:// channels,
        // and h2c is what the server speaks.
        var authorization = options.BearerToken is null ? null : "Bearer " + options.BearerToken;
        _invokers = [.. _channels.Select(channel => authorization is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(metadata =>
            {
                metadata.Add("authorization", authorization);
                return metadata;
            }))];
    }

    /// <summary>A client of one server.</summary>
    public RegistryClient(Uri address)
        : this(Single(address))
    {
    }

    /// <summary>One service's endpoints, the exact DNS answer and the view's flags.</summary>
    /// <param name="name">A service name (<c>web</c>) or SRV owner name (<c>_web._tcp.svc.example.</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="RpcException">InvalidArgument (a malformed name), NotFound (no such service), Unavailable (no server answered).</exception>
    public async Task<ResolveResponse> ResolveAsync(string name, CancellationToken cancellationToken = default) =>
        await Current().ResolveAsync(new ResolveRequest { Name = name }, cancellationToken: cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Follows the view: a snapshot first (or, with <paramref name="resumeFrom"/>, what changed since), then every
    /// change, and heartbeats while nothing changes. When a stream breaks, the client reconnects (to the next server
    /// when there are several) and resumes from the revision of the last event it yielded: the server sends exactly the
    /// changes after it, or a snapshot marked <see cref="SnapshotReason.OutOfHistory"/> (or
    /// <see cref="SnapshotReason.FellBehind"/>) that replaces the consumer's state. Nothing is yielded twice and no
    /// change is skipped. Ends only when <paramref name="cancellationToken"/> fires or the server refuses the request.
    /// </summary>
    /// <param name="services">Only these services (names or SRV owner names); all when null or empty.</param>
    /// <param name="resumeFrom">The revision of the last event a previous watch delivered; null to start with a snapshot.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <exception cref="RpcException">A request the server refuses for good (InvalidArgument, for a malformed service name).</exception>
    public async IAsyncEnumerable<WatchEvent> WatchAsync(
        IEnumerable<string>? services = null,
        Revision? resumeFrom = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new WatchRequest();
        request.Services.AddRange(services ?? []);
        var last = resumeFrom;
        var delay = _options.RetryDelay;
        while (true)
        {
            request.ResumeFrom = last;
            using var call = Current().Watch(request, cancellationToken: cancellationToken);
            while (true)
            {
                WatchEvent? next;
                try
                {
                    next = await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) ? call.ResponseStream.Current : null;
                }
                catch (RpcException e) when (IsTransient(e.StatusCode) && !cancellationToken.IsCancellationRequested)
                {
                    next = null;
                }

                if (next is null)
                {
                    break; // the stream ended or broke: reconnect below
                }

                last = next.Revision;
                delay = _options.RetryDelay;
                yield return next;
            }

            Advance();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>
    /// Leases <paramref name="instance"/>: the server registers it in ZooKeeper while the lease lives. The returned
    /// handle sends heartbeats and, when its stream breaks (a server restart), registers again on any server;
    /// disposing it deregisters at once.
    /// </summary>
    /// <param name="instance">The instance (service, id, port; address defaults to this host's as the server sees it).</param>
    /// <param name="cancellationToken">Cancels the first registration.</param>
    /// <exception cref="RpcException">
    /// InvalidArgument (the reason says which field), AlreadyExists, Unavailable; Unauthenticated (no or an unknown
    /// <see cref="RegistryClientOptions.BearerToken"/>) or PermissionDenied (the token may not write this service)
    /// from a server started with <c>--auth-tokens</c>.
    /// </exception>
    public async Task<RegistryLease> RegisterAsync(InstanceSpec instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        var lease = new RegistryLease(this, instance.Clone());
        await lease.StartAsync(cancellationToken).ConfigureAwait(false);
        return lease;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }

    /// <summary>The client of the server in use.</summary>
    internal Registry.V1.Registry.RegistryClient Current() => new(_invokers[Volatile.Read(ref _next) % _invokers.Length]);

    /// <summary>Moves on to the next server after a failure.</summary>
    internal void Advance() => Interlocked.Increment(ref _next);

    internal RegistryClientOptions Options => _options;

    /// <summary>Failures worth a reconnect: the server or the network, not the request.</summary>
    /// <remarks>RESOURCE_EXHAUSTED is not one: from this server it means a message over a size limit, which a retry would only repeat.</remarks>
    internal static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Aborted or StatusCode.DeadlineExceeded
            or StatusCode.Cancelled or StatusCode.OutOfRange;

    private static RegistryClientOptions Single(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var options = new RegistryClientOptions();
        options.Addresses.Add(address);
        return options;
    }
}
