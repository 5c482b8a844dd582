using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.ZooKeeper;

namespace Registry.Discovery;

/// <summary>
/// Registers service instances as ephemeral znodes through one ZooKeeper session of its own, and keeps them
/// registered: a lost connection is ridden out by the client; an expired session is replaced by a new one on which
/// every registration is written again. A node left at an instance's path by another session (the old one, not yet
/// expired on the ensemble, or a previous run of the process) is replaced atomically instead of failing with
/// NodeExists or leaving a duplicate. Thread-safe.
/// </summary>
public sealed partial class ServiceRegistrar : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _clientOptions;
    private readonly ZooKeeperLayout _layout;
    private readonly IReadOnlyList<Acl>? _acl;
    private readonly IReadOnlyList<Acl>? _instanceAcl;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Registration> _registrations = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly SemaphoreSlim _sessionGate = new(1, 1);
    private ZooKeeperClient? _client;
    private Task _sessionWatch = Task.CompletedTask;

    /// <summary>Creates a registrar; it connects on the first registration.</summary>
    /// <param name="clientOptions">How to reach ZooKeeper (connect string, session timeout, ...).</param>
    /// <param name="layout">Where registrations live; <see cref="ZooKeeperLayout.Default"/> when null.</param>
    /// <param name="acl">
    /// The ACL of created nodes (e.g. a digest identity per service); open when null. It is the instance nodes' ACL, and
    /// the service node's when this registrar creates it: service nodes are containers, which ZooKeeper deletes once
    /// empty, so an ACL set on one by hand is lost with it, while this one comes back whenever the node does. The
    /// credential that the ACL grants goes in <see cref="ZooKeeperClientOptions.Credentials"/>.
    /// </param>
    /// <param name="instanceAcl">
    /// The instance nodes' ACL when it differs from <paramref name="acl"/>; <paramref name="acl"/> when null. For a
    /// registrar that writes for others (the server's Register leases): its own identity may change the nodes,
    /// everyone may read them, and the service nodes it creates stay as open as <paramref name="acl"/> says.
    /// </param>
    public ServiceRegistrar(ZooKeeperClientOptions clientOptions, ZooKeeperLayout? layout = null, IReadOnlyList<Acl>? acl = null, IReadOnlyList<Acl>? instanceAcl = null)
    {
        ArgumentNullException.ThrowIfNull(clientOptions);
        _clientOptions = clientOptions;
        _layout = layout ?? ZooKeeperLayout.Default;
        _acl = acl;
        _instanceAcl = instanceAcl ?? acl;
        _logger = clientOptions.LoggerFactory?.CreateLogger<ServiceRegistrar>() ?? NullLogger<ServiceRegistrar>.Instance;
    }

    /// <summary>The session that currently holds the registrations, or 0 before the first.</summary>
    public long SessionId => _client?.SessionId ?? 0;

    /// <summary>The current session's password; tests use it to expire the session on purpose.</summary>
    internal ReadOnlyMemory<byte> SessionPasswordForTests => _client?.SessionPassword ?? default;

    /// <summary>Registers <paramref name="instance"/>; the returned handle updates it and, disposed, deregisters it at once.</summary>
    /// <exception cref="ArgumentException">The instance is already registered here.</exception>
    /// <exception cref="KeeperException">ZooKeeper refused (for example <see cref="NoAuthException"/> from the service node's ACL).</exception>
    public async Task<Registration> RegisterAsync(ServiceInstance instance, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        var path = _layout.InstancePath(instance.Service, instance.Id);
        var registration = new Registration(this, path, instance);
        lock (_lock)
        {
            if (!_registrations.TryAdd(path, registration))
            {
                throw new ArgumentException($"{path} is already registered by this registrar", nameof(instance));
            }
        }

        try
        {
            await WriteAsync(registration, cancellationToken).ConfigureAwait(false);
            Log.Registered(_logger, path, SessionId);
            return registration;
        }
        catch
        {
            lock (_lock)
            {
                _registrations.Remove(path);
            }

            throw;
        }
    }

    /// <summary>Deregisters everything and closes the session.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_client is { } client)
        {
            // Closing the session deletes every ephemeral registration at once.
            await client.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _sessionWatch.ConfigureAwait(false);
        _disposing.Dispose();
        _sessionGate.Dispose();
    }

    internal async Task UpdateAsync(Registration registration, CancellationToken cancellationToken)
    {
        await WriteAsync(registration, cancellationToken).ConfigureAwait(false);
        Log.Updated(_logger, registration.Path);
    }

    internal async Task RemoveAsync(Registration registration)
    {
        lock (_lock)
        {
            _registrations.Remove(registration.Path);
        }

        if (_client is not { } client || _disposing.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await client.DeleteAsync(registration.Path).ConfigureAwait(false);
            Log.Deregistered(_logger, registration.Path);
        }
        catch (NoNodeException)
        {
        }
        catch (KeeperException ex) when (ex.IsRetryable || ex.IsSessionFatal)
        {
            // The node is ephemeral: it goes with the session if the delete did not make it.
            Log.DeregisterDeferred(_logger, registration.Path, ex.Message);
        }
    }

    /// <summary>
    /// Writes a registration until ZooKeeper has it: rides out connection loss (whose outcome is unknown, so every
    /// step is idempotent) and session expiry (a new session writes it again).
    /// </summary>
    private async Task WriteAsync(Registration registration, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        var token = linked.Token;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            token.ThrowIfCancellationRequested();
            var client = await SessionAsync(token).ConfigureAwait(false);
            try
            {
                await PutAsync(client, registration.Path, registration.Instance, token).ConfigureAwait(false);
                return;
            }
            catch (KeeperException ex) when (ex.IsRetryable || ex.IsSessionFatal)
            {
                Log.WriteRetry(_logger, registration.Path, ex.Message);
                await Task.Delay(delay, token).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    /// <summary>
    /// Creates the service's container node if needed, then the instance's ephemeral node; when a node is already
    /// there it is updated if this session owns it, else replaced in one multi (delete at its version + create).
    /// </summary>
    private async Task PutAsync(ZooKeeperClient client, string path, ServiceInstance instance, CancellationToken cancellationToken)
    {
        var data = ServiceInstanceCodec.Encode(instance);
        var servicePath = _layout.ServicePath(instance.Service);
        for (var attempt = 0; ; attempt++)
        {
            await EnsureAsync(client, _layout.BasePath, CreateMode.Persistent, null, cancellationToken).ConfigureAwait(false);
            await EnsureAsync(client, servicePath, CreateMode.Container, _acl, cancellationToken).ConfigureAwait(false);
            try
            {
                await client.CreateAsync(path, data, CreateMode.Ephemeral, _instanceAcl, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException) when (attempt < 5)
            {
                // The empty container was collected between ensuring it and creating the child: ensure it again.
                continue;
            }
            catch (NodeExistsException)
            {
            }

            var stat = await client.ExistsAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (stat is null)
            {
                continue; // gone meanwhile: create again
            }

            try
            {
                if (stat.EphemeralOwner == client.SessionId)
                {
                    // Ours already (a write whose reply was lost): bring its data up to date.
                    await client.SetDataAsync(path, data, stat.Version, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Log.Replacing(_logger, path, stat.EphemeralOwner, client.SessionId);
                    await client.MultiAsync([Op.Delete(path, stat.Version), Op.Create(path, data, CreateMode.Ephemeral, _instanceAcl)], cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (KeeperException ex) when (attempt < 5 && ex is BadVersionException or NoNodeException or NodeExistsException)
            {
                // Someone changed it between our read and our write: look again.
            }
        }
    }

    private static async Task EnsureAsync(ZooKeeperClient client, string path, CreateMode mode, IReadOnlyList<Acl>? acl, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateAsync(path, default, mode, acl, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NodeExistsException)
        {
        }
    }

    /// <summary>The live session, opening one (again) when there is none or it has expired.</summary>
    private async Task<ZooKeeperClient> SessionAsync(CancellationToken cancellationToken)
    {
        if (_client is { State: not (SessionState.Expired or SessionState.AuthFailed or SessionState.Closed) } current)
        {
            return current;
        }

        await _sessionGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { State: not (SessionState.Expired or SessionState.AuthFailed or SessionState.Closed) } again)
            {
                return again;
            }

            if (_client is { } expired)
            {
                await expired.DisposeAsync().ConfigureAwait(false);
            }

            var client = await ZooKeeperClient.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
            _client = client;
            _sessionWatch = Task.Run(() => WatchSessionAsync(client), CancellationToken.None);
            return client;
        }
        finally
        {
            _sessionGate.Release();
        }
    }

    /// <summary>When the session expires, open a new one and write every registration again.</summary>
    private async Task WatchSessionAsync(ZooKeeperClient client)
    {
        var expired = false;
        try
        {
            await foreach (var state in client.WatchStateAsync(_disposing.Token).ConfigureAwait(false))
            {
                expired = state == SessionState.Expired;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!expired || _disposing.IsCancellationRequested)
        {
            return;
        }

        List<Registration> all;
        lock (_lock)
        {
            all = [.. _registrations.Values];
        }

        Log.SessionExpired(_logger, client.SessionId, all.Count);
        try
        {
            foreach (var registration in all)
            {
                await WriteAsync(registration, _disposing.Token).ConfigureAwait(false);
            }

            Log.Reregistered(_logger, all.Count, SessionId);
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
        }
    }
}
