using Registry.Core.Instances;

namespace Registry.Discovery;

/// <summary>
/// A live registration. Updates (status, weight, anything else) are written to its znode; disposing it deletes the
/// znode at once. It is written again on a new session after its session expires.
/// </summary>
public sealed class Registration : IAsyncDisposable
{
    private readonly ServiceRegistrar _registrar;
    private readonly SemaphoreSlim _updates = new(1, 1);
    private ServiceInstance _instance;
    private int _disposed;

    internal Registration(ServiceRegistrar registrar, string path, ServiceInstance instance)
    {
        _registrar = registrar;
        Path = path;
        _instance = instance;
    }

    /// <summary>The znode path.</summary>
    public string Path { get; }

    /// <summary>The instance as last written.</summary>
    public ServiceInstance Instance => Volatile.Read(ref _instance);

    /// <summary>Replaces the registered data (same service and id).</summary>
    /// <exception cref="ArgumentException">The service or id differs: that is another registration.</exception>
    /// <exception cref="ObjectDisposedException">The registration was removed.</exception>
    public async Task UpdateAsync(ServiceInstance updated, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updated);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var current = Instance;
        if (updated.Service != current.Service || !string.Equals(updated.Id, current.Id, StringComparison.Ordinal))
        {
            throw new ArgumentException($"an update keeps service and id ({current.Service}/{current.Id}); register {updated.Service}/{updated.Id} separately", nameof(updated));
        }

        await _updates.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _instance, updated with { Source = null });
            await _registrar.UpdateAsync(this, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _updates.Release();
        }
    }

    /// <summary>Marks the instance up, draining or out of service (drained instances leave DNS answers).</summary>
    public Task SetStatusAsync(InstanceStatus status, CancellationToken cancellationToken = default) =>
        UpdateAsync(Instance with { Status = status }, cancellationToken);

    /// <summary>Changes the SRV weight.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The weight is outside 0..65535.</exception>
    public Task SetWeightAsync(int weight, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weight);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(weight, 65535);
        return UpdateAsync(Instance with { Weight = weight }, cancellationToken);
    }

    /// <summary>Deregisters at once (deletes the znode).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _registrar.RemoveAsync(this).ConfigureAwait(false);
        _updates.Dispose();
    }
}
