using Registry.Core.Names;

namespace Registry.Server.Grpc.Auth;

/// <summary>One line of the token file: the SHA-256 of a bearer token and the services it may write.</summary>
/// <param name="Hash">The token's SHA-256 (32 bytes).</param>
/// <param name="Services">The services it may register and deregister.</param>
/// <param name="Line">Its 1-based line in the token file.</param>
internal sealed record WriteToken(byte[] Hash, IReadOnlyList<ServicePattern> Services, int Line)
{
    /// <summary>
    /// How logs and error messages name the token: <c>sha256:</c> and the hash's first 8 hex digits, enough to find
    /// its line in the file, and no help to anyone guessing the token (the file itself holds the whole hash).
    /// </summary>
    public string Id { get; } = "sha256:" + Convert.ToHexStringLower(Hash, 0, 4);

    /// <summary>Whether the token may register and deregister instances of <paramref name="service"/>.</summary>
    public bool Allows(ServiceName service) => Services.Any(p => p.Matches(service));
}
