using Grpc.Core;
using Registry.V1;

namespace Registry.Client;

/// <summary>
/// A Register lease held through a registry server (see <see cref="RegistryClient.RegisterAsync"/>): heartbeats go
/// out three times per lease timeout; a broken stream is opened again, on the next server when there are several,
/// which registers the instance again there. Disposing it ends the stream, and the server deletes the registration.
/// </summary>
public sealed class RegistryLease : IAsyncDisposable
{
    private readonly RegistryClient _client;
    private readonly InstanceSpec _instance;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private Leased _leased = new();

    internal RegistryLease(RegistryClient client, InstanceSpec instance)
    {
        _client = client;
        _instance = instance;
    }

    /// <summary>The registration's znode path, e.g. <c>/services/web/ap1</c>.</summary>
    public string Path => Volatile.Read(ref _leased).Path;

    /// <summary>The ZooKeeper session of the server holding the registration now.</summary>
    public long Session => Volatile.Read(ref _leased).Session;

    /// <summary>How many times the lease was registered again after a broken stream.</summary>
    public int Renewals { get; private set; }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var call = await OpenAsync(linked.Token).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(call), CancellationToken.None);
    }

    /// <summary>Ends the lease: the server deletes the registration at once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task<AsyncDuplexStreamingCall<RegisterRequest, RegisterResponse>> OpenAsync(CancellationToken cancellationToken)
    {
        // The call lives as long as the lease: only stopping the lease cancels it (which tells the server at once).
        var call = _client.Current().Register(cancellationToken: _stopping.Token);
        try
        {
            await call.RequestStream.WriteAsync(new RegisterRequest { Instance = _instance }, cancellationToken).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) || call.ResponseStream.Current.Leased is not { } leased)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the server ended the Register stream without granting the lease"));
            }

            Volatile.Write(ref _leased, leased);
            return call;
        }
        catch
        {
            call.Dispose();
            throw;
        }
    }

    private async Task RunAsync(AsyncDuplexStreamingCall<RegisterRequest, RegisterResponse> call)
    {
        var delay = _client.Options.RetryDelay;
        try
        {
            while (true)
            {
                try
                {
                    await KeepAsync(call).ConfigureAwait(false);
                }
                catch (Exception e) when (IsBroken(e) && !_stopping.IsCancellationRequested)
                {
                }
                finally
                {
                    call.Dispose();
                }

                // Broken: register again, on the next server, until it takes or the lease is stopped.
                while (true)
                {
                    _client.Advance();
                    await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _client.Options.MaxRetryDelay.Ticks));
                    try
                    {
                        call = await OpenAsync(_stopping.Token).ConfigureAwait(false);
                        Renewals++;
                        delay = _client.Options.RetryDelay;
                        break;
                    }
                    catch (Exception e) when (IsBroken(e) && !_stopping.IsCancellationRequested)
                    {
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (RpcException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Heartbeats until the stream breaks (throws) or the lease is stopped.</summary>
    private async Task KeepAsync(AsyncDuplexStreamingCall<RegisterRequest, RegisterResponse> call)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(Volatile.Read(ref _leased).LeaseTimeoutMs / 3, 50));
        var heartbeat = new RegisterRequest { Heartbeat = new LeaseHeartbeat() };
        while (true)
        {
            await Task.Delay(interval, _stopping.Token).ConfigureAwait(false);
            await call.RequestStream.WriteAsync(heartbeat, _stopping.Token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(_stopping.Token).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the server ended the Register stream"));
            }
        }
    }

    /// <summary>
    /// Failures a new stream may cure. AlreadyExists counts: the server may still hold the broken stream's lease until
    /// it notices (at most a lease timeout). So do Unauthenticated and PermissionDenied once the lease was granted: the
    /// token was good then, and the next server, or this one after a token file reload, may take it again. A refused
    /// instance does not: it would be refused again.
    /// </summary>
    private static bool IsBroken(Exception e) =>
        e is IOException or HttpRequestException or InvalidOperationException or RpcException { StatusCode: not (StatusCode.InvalidArgument or StatusCode.FailedPrecondition) };
}
