using System.Diagnostics.CodeAnalysis;

namespace Registry.Core.Instances;

/// <summary>
/// The outcome of decoding one registration (<see cref="ServiceInstanceCodec.Decode"/>): an instance, or the
/// reason it was rejected. A result rather than an exception because bad data written by others is an expected
/// input (DESIGN §3: it is skipped, logged and counted, never breaks the view).
/// </summary>
public sealed class InstanceDecodeResult
{
    private InstanceDecodeResult(ServiceInstance? instance, string? error)
    {
        Instance = instance;
        Error = error;
    }

    /// <summary>The decoded instance; null on failure.</summary>
    public ServiceInstance? Instance { get; }

    /// <summary>Why the data was rejected, fit for a log line; null on success.</summary>
    public string? Error { get; }

    /// <summary>True when <see cref="Instance"/> is set (and <see cref="Error"/> is null).</summary>
    [MemberNotNullWhen(true, nameof(Instance))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Instance is not null;

    /// <summary>A successful result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="instance"/> is null.</exception>
    public static InstanceDecodeResult Success(ServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new InstanceDecodeResult(instance, null);
    }

    /// <summary>A failed result.</summary>
    /// <exception cref="ArgumentException"><paramref name="error"/> is null or empty.</exception>
    public static InstanceDecodeResult Failure(string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new InstanceDecodeResult(null, error);
    }

    /// <inheritdoc/>
    public override string ToString() => IsSuccess ? $"ok: {Instance.Service}/{Instance.Id}" : $"error: {Error}";
}
