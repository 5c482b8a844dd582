using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Internal;

/// <summary>
/// A request on its way to the server and back. The write loop gives it an xid and writes it; the read loop
/// matches the reply (replies come in request order) and completes it. It never touches the socket itself.
/// </summary>
internal abstract class PendingRequest
{
    /// <summary>The xid: assigned by the write loop, or a reserved one for setWatches and auth.</summary>
    public int Xid { get; set; }

    public abstract OpCode OpCode { get; }

    /// <summary>The client-side path, for error messages.</summary>
    public string? Path { get; init; }

    /// <summary>A watch to record when the reply says the server set it.</summary>
    public WatchRegistration? Watch { get; init; }

    /// <summary>True once the caller has its answer (for example, it was canceled before being sent).</summary>
    public abstract bool IsCompleted { get; }

    public abstract void WriteBody(JuteWriter writer);

    public abstract void Complete(in ReplyHeader header, ref JuteReader body);

    public abstract void Fail(Exception exception);
}

/// <summary>A request whose reply body is a <typeparamref name="TResponse"/>.</summary>
internal sealed class PendingRequest<TRequest, TResponse> : PendingRequest
    where TRequest : IJuteRequest
    where TResponse : IJuteResponse<TResponse>
{
    private readonly TRequest _request;
    private readonly bool _readBodyOnError;
    private readonly TaskCompletionSource<TResponse> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;

    /// <param name="request">The body.</param>
    /// <param name="readBodyOnError">Multi replies carry per-operation results even when the header reports an error.</param>
    public PendingRequest(TRequest request, bool readBodyOnError = false)
    {
        _request = request;
        _readBodyOnError = readBodyOnError;
    }

    public Task<TResponse> Task => _completion.Task;

    public override OpCode OpCode => _request.OpCode;

    public override bool IsCompleted => _completion.Task.IsCompleted;

    /// <summary>Lets the caller stop waiting; a request not yet written is then never sent.</summary>
    public void RegisterCancellation(CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(
                static (state, token) => ((TaskCompletionSource<TResponse>)state!).TrySetCanceled(token),
                _completion);
        }
    }

    public override void WriteBody(JuteWriter writer) => _request.Write(writer);

    public override void Complete(in ReplyHeader header, ref JuteReader body)
    {
        _cancellation.Dispose();
        if (header.Err != KeeperErrorCode.Ok && !(_readBodyOnError && body.Remaining > 0))
        {
            _completion.TrySetException(KeeperException.Create(header.Err, Path));
            return;
        }

        try
        {
            _completion.TrySetResult(TResponse.Read(ref body));
        }
        catch (JuteException ex)
        {
            _completion.TrySetException(new MarshallingErrorException(Path, ex.Message));
            throw;
        }
    }

    public override void Fail(Exception exception)
    {
        _cancellation.Dispose();
        _completion.TrySetException(exception);
    }
}
