using Grpc.Core;
using Microsoft.Extensions.Logging;
using Registry.Core.Names;
using Registry.Server.Dns.Transport;

namespace Registry.Server.Grpc.Auth;

/// <summary>
/// Decides who may write (Register, Deregister): with <c>--auth-tokens</c>, a call must carry
/// <c>authorization: Bearer &lt;token&gt;</c> whose hash is in the current <see cref="TokenSet"/>
/// (Unauthenticated otherwise), and the token must name the service written (PermissionDenied otherwise).
/// Without it, every write is allowed, as before tokens existed.
/// </summary>
internal sealed class WriteAuthorizer(TokenSet? tokens, ILogger<WriteAuthorizer> logger)
{
    private const string Header = "authorization";
    private const string Scheme = "Bearer";

    // A client hammering with a bad token must not turn the log into the bottleneck: one line a second per kind.
    private readonly LogThrottle _unauthenticatedLog = new(TimeSpan.FromSeconds(1));
    private readonly LogThrottle _deniedLog = new(TimeSpan.FromSeconds(1));
    private TokenSet? _tokens = tokens;
    private long _unauthenticatedSuppressed;
    private long _deniedSuppressed;

    /// <summary>The tokens in force; null when writes are open (no <c>--auth-tokens</c>).</summary>
    public TokenSet? Tokens => Volatile.Read(ref _tokens);

    /// <summary>Swaps in a reloaded token set; calls already authorized keep what they were granted.</summary>
    public void Use(TokenSet reloaded) => Volatile.Write(ref _tokens, reloaded);

    /// <summary>The entry of the call's bearer token; null when writes are open.</summary>
    /// <exception cref="RpcException">Unauthenticated: no bearer token, or one the token file does not hold.</exception>
    public WriteToken? Authenticate(ServerCallContext context)
    {
        if (Tokens is not { } current)
        {
            return null;
        }

        var method = MethodName(context);
        var header = context.RequestHeaders.Get(Header)?.Value;
        string? token = null;
        if (header is not null && header.StartsWith(Scheme + " ", StringComparison.OrdinalIgnoreCase))
        {
            token = header[(Scheme.Length + 1)..].Trim(' ');
        }

        if (!string.IsNullOrEmpty(token) && current.Find(token) is { } entry)
        {
            return entry;
        }

        var reason = header is null ? $"{method} needs a bearer token on this server: send the metadata '{Header}: {Scheme} <token>'"
            : string.IsNullOrEmpty(token) ? $"{method}: the '{Header}' metadata is not '{Scheme} <token>'"
            : $"{method}: the bearer token is not one of this server's write tokens";
        if (_unauthenticatedLog.Allow())
        {
            AuthLog.Unauthenticated(logger, method, context.Peer, reason, Interlocked.Exchange(ref _unauthenticatedSuppressed, 0));
        }
        else
        {
            Interlocked.Increment(ref _unauthenticatedSuppressed);
        }

        throw new RpcException(new Status(StatusCode.Unauthenticated, reason));
    }

    /// <summary>Checks that <paramref name="token"/> (from <see cref="Authenticate"/>) may write <paramref name="service"/>.</summary>
    /// <exception cref="RpcException">PermissionDenied: the token does not name the service.</exception>
    public void Authorize(WriteToken? token, ServiceName service, ServerCallContext context)
    {
        if (token is null)
        {
            return;
        }

        var method = MethodName(context);
        if (token.Allows(service))
        {
            AuthLog.Authorized(logger, method, service.Value, context.Peer, token.Id, token.Line);
            return;
        }

        if (_deniedLog.Allow())
        {
            AuthLog.PermissionDenied(logger, method, service.Value, context.Peer, token.Id, token.Line, Interlocked.Exchange(ref _deniedSuppressed, 0));
        }
        else
        {
            Interlocked.Increment(ref _deniedSuppressed);
        }

        throw new RpcException(new Status(
            StatusCode.PermissionDenied,
            $"{method}: token {token.Id} may not write service '{service.Value}' (it may write {string.Join(", ", token.Services)})"));
    }

    /// <summary><c>Register</c> of <c>/registry.v1.Registry/Register</c>.</summary>
    private static string MethodName(ServerCallContext context) => context.Method[(context.Method.LastIndexOf('/') + 1)..];
}
