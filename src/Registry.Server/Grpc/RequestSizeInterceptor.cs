using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Registry.Server.Grpc;

/// <summary>
/// Refuses request messages larger than <see cref="GrpcHosting.MaxRequestMessageSize"/> with InvalidArgument naming the
/// method, the size and the limit, for every method and every message of a client stream. grpc-dotnet's own limit
/// (<see cref="GrpcHosting.MaxTransportMessageSize"/>) would answer ResourceExhausted with a generic reason instead,
/// which clients retry as "the server is busy" rather than fix as "this request is wrong".
/// </summary>
/// <remarks>
/// The size is the message's encoded size (<see cref="IMessage.CalculateSize"/>, unknown fields included), not the
/// bytes on the wire: grpc-dotnet does not hand those to interceptors. The two differ only for a client repeating a
/// field, which merges into a smaller message; the transport ceiling still bounds what it can send.
/// </remarks>
internal sealed class RequestSizeInterceptor(int limit) : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request, context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new SizeCheckedStreamReader<TRequest>(requestStream, message => Check(message, context)), context);

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new SizeCheckedStreamReader<TRequest>(requestStream, message => Check(message, context)), responseStream, context);

    /// <exception cref="RpcException">InvalidArgument: the message is larger than the limit.</exception>
    private void Check<TRequest>(TRequest request, ServerCallContext context)
    {
        // Every registry, health and reflection message is protobuf; anything else has no size to check here.
        if (request is not IMessage message)
        {
            return;
        }

        var size = message.CalculateSize();
        if (size > limit)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{MethodName(context.Method)}: a request message of {size.ToString("N0", CultureInfo.InvariantCulture)} bytes exceeds the {Describe(limit)} limit"));
        }
    }

    /// <summary>"Register" of "/registry.v1.Registry/Register".</summary>
    private static string MethodName(string method) => method[(method.LastIndexOf('/') + 1)..];

    private static string Describe(int bytes) => bytes % 1024 == 0
        ? $"{bytes / 1024} KiB"
        : $"{bytes.ToString("N0", CultureInfo.InvariantCulture)}-byte";
}
