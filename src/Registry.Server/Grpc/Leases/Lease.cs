using Registry.Discovery;

namespace Registry.Server.Grpc.Leases;

/// <summary>One Register stream's registration, and the signal that ends the stream when a Deregister call takes it away.</summary>
internal sealed class Lease(Registration registration, long session) : IDisposable
{
    private readonly CancellationTokenSource _revoked = new();

    public Registration Registration { get; } = registration;

    public string Path => Registration.Path;

    /// <summary>The ZooKeeper session that wrote the registration.</summary>
    public long Session { get; } = session;

    /// <summary>Fires when <see cref="LeaseRegistry.DeregisterAsync"/> ended the lease.</summary>
    public CancellationToken Revoked => _revoked.Token;

    internal void Revoke() => _revoked.Cancel();

    public void Dispose() => _revoked.Dispose();
}
