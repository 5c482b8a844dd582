using Grpc.Core;

namespace Registry.Server.Grpc;

/// <summary>
/// A client stream whose every message is checked as it is read, so that a service method sees the refusal as an
/// exception from <see cref="MoveNext"/> and its own cleanup (a Register lease's release) runs as for any other.
/// </summary>
internal sealed class SizeCheckedStreamReader<T>(IAsyncStreamReader<T> inner, Action<T> check) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    /// <exception cref="RpcException">What <c>check</c> throws for a message it refuses.</exception>
    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await inner.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        check(inner.Current);
        return true;
    }
}
