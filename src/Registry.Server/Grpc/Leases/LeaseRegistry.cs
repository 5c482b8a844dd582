using Grpc.Core;
using Microsoft.Extensions.Logging;
using Registry.Core.Instances;
using Registry.Core.Names;
using Registry.Discovery;
using Registry.Server.Configuration;
using Registry.ZooKeeper;

namespace Registry.Server.Grpc.Leases;

/// <summary>
/// The registrations held for Register streams: one <see cref="ServiceRegistrar"/> (one ZooKeeper session of the
/// server's own, opened on the first lease) writes them as ephemeral znodes, as a service's own registrar would.
/// Were the server to die, the session's expiry deletes them all; the clients then register again on any server.
/// </summary>
internal sealed partial class LeaseRegistry : IAsyncDisposable
{
    private readonly ServiceRegistrar _registrar;
    private readonly ILogger<LeaseRegistry> _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly ZooKeeperLayout _layout;
    private readonly IReadOnlyList<AuthInfo> _credentials;

    // With a credential, a lease's znode is the server's to change (ZooKeeper's "auth" scheme: the session's own
    // identities) and everyone's to read: without it, any ZooKeeper client could rewrite a leased instance's address.
    // Service nodes stay as the operator set them. Without a credential there is no identity to grant, so they are open.
    private static readonly IReadOnlyList<Acl> LeaseAcl = [new(Permissions.All, "auth", ""), new(Permissions.Read, "world", "anyone")];

    public LeaseRegistry(ZooKeeperClientOptions zooKeeper, ServerOptions options, ILogger<LeaseRegistry> logger)
    {
        _logger = logger;
        _layout = new ZooKeeperLayout { BasePath = options.BasePath };
        _credentials = zooKeeper.Credentials;
        _registrar = new ServiceRegistrar(
            new ZooKeeperClientOptions
            {
                ConnectString = zooKeeper.ConnectString,
                SessionTimeout = zooKeeper.SessionTimeout,
                Credentials = zooKeeper.Credentials,
                LoggerFactory = zooKeeper.LoggerFactory,
            },
            _layout,
            acl: null,
            instanceAcl: _credentials.Count > 0 ? LeaseAcl : null);
    }

    /// <summary>Registers <paramref name="instance"/> for a stream.</summary>
    /// <exception cref="RpcException">
    /// AlreadyExists: another stream here leases it; PermissionDenied: an ACL withholds from the server's credential what
    /// the registration needs; Unavailable: ZooKeeper refused otherwise or is unreachable.
    /// </exception>
    public async Task<Lease> AcquireAsync(ServiceInstance instance, string peer, CancellationToken cancellationToken)
    {
        var path = _layout.InstancePath(instance.Service, instance.Id);
        lock (_lock)
        {
            if (_leases.ContainsKey(path))
            {
                throw new RpcException(new Status(StatusCode.AlreadyExists, $"{path} is already leased by another stream on this server"));
            }

            _leases[path] = null!; // reserved while ZooKeeper is written
        }

        try
        {
            var lease = new Lease(await _registrar.RegisterAsync(instance, cancellationToken).ConfigureAwait(false), _registrar.SessionId);
            lock (_lock)
            {
                _leases[path] = lease;
            }

            Log.Acquired(_logger, path, peer, _registrar.SessionId);
            return lease;
        }
        catch (Exception e) when (e is KeeperException or TimeoutException or IOException or OperationCanceledException)
        {
            lock (_lock)
            {
                _leases.Remove(path);
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            Log.Failed(_logger, path, e.Message);
            if (e is NoAuthException denied)
            {
                // Retrying cannot help: the service's ACL must grant the server's credential, or the service register itself.
                throw new RpcException(new Status(StatusCode.PermissionDenied, Denied(instance.Service, denied)));
            }

            throw new RpcException(new Status(StatusCode.Unavailable, $"could not register {path} in ZooKeeper: {e.Message}"));
        }
    }

    /// <summary>Ends a lease: deletes the znode (idempotent).</summary>
    public async Task ReleaseAsync(Lease lease, string reason)
    {
        lock (_lock)
        {
            if (!_leases.TryGetValue(lease.Path, out var held) || !ReferenceEquals(held, lease))
            {
                return;
            }

            _leases.Remove(lease.Path);
        }

        try
        {
            await lease.Registration.DisposeAsync().ConfigureAwait(false);
            Log.Released(_logger, lease.Path, reason);
        }
        catch (Exception e) when (e is KeeperException or TimeoutException or IOException)
        {
            // The znode stays until the server's session ends; the view keeps it until then.
            Log.ReleaseFailed(_logger, lease.Path, e.Message);
        }
        finally
        {
            lease.Dispose();
        }
    }

    /// <summary>Ends the lease of <paramref name="service"/>/<paramref name="id"/> held here and closes its stream.</summary>
    /// <exception cref="RpcException">NotFound: this server holds no such lease.</exception>
    public async Task<string> DeregisterAsync(ServiceName service, string id)
    {
        var path = _layout.InstancePath(service, id);
        Lease? lease;
        lock (_lock)
        {
            _leases.TryGetValue(path, out lease);
        }

        if (lease is null)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"this server holds no lease for {path} (a lease is ended on the server its Register stream is connected to)"));
        }

        lease.Revoke();
        await ReleaseAsync(lease, "deregistered").ConfigureAwait(false);
        return path;
    }

    public ValueTask DisposeAsync() => _registrar.DisposeAsync();

    /// <summary>
    /// Why ZooKeeper refused: creating a node takes CREATE on its parent, which is (nearly always) the service's node; a
    /// node left there by another session takes DELETE on it as well, to be replaced.
    /// </summary>
    private string Denied(ServiceName service, NoAuthException denied)
    {
        var node = denied.Path is { } path && path.LastIndexOf('/') is >= 0 and var slash ? (slash == 0 ? "/" : path[..slash]) : _layout.ServicePath(service);
        var credential = _credentials.Count == 0 ? "no credential (see --zookeeper-auth-file)" : $"the credential {string.Join(", ", _credentials)}";
        return $"service '{service}': ZooKeeper refused the registry server's session, which presents {credential}: "
            + $"it lacks CREATE on {node}, whose ACL does not grant it (grant it there, or register the service with its own credential)";
    }

    private static partial class Log
    {
        [LoggerMessage(4610, LogLevel.Information, "lease: {Path} registered for {Peer} (session 0x{Session:x})")]
        public static partial void Acquired(ILogger logger, string path, string peer, long session);

        [LoggerMessage(4611, LogLevel.Information, "lease: {Path} deregistered ({Reason})")]
        public static partial void Released(ILogger logger, string path, string reason);

        [LoggerMessage(4612, LogLevel.Warning, "lease: {Path} could not be registered: {Reason}")]
        public static partial void Failed(ILogger logger, string path, string reason);

        [LoggerMessage(4613, LogLevel.Warning, "lease: {Path} could not be deleted ({Reason}); it goes with the server's session")]
        public static partial void ReleaseFailed(ILogger logger, string path, string reason);
    }
}
