using System.Security.Cryptography;
using System.Text;

namespace Registry.Server.Grpc.Auth;

/// <summary>The write tokens of one load of the token file: immutable, swapped whole on reload.</summary>
internal sealed class TokenSet(string file, IReadOnlyList<WriteToken> tokens, DateTimeOffset loadedAt)
{
    /// <summary>The file the set was read from.</summary>
    public string File { get; } = file;

    public IReadOnlyList<WriteToken> Tokens { get; } = tokens;

    /// <summary>When the set was read.</summary>
    public DateTimeOffset LoadedAt { get; } = loadedAt;

    /// <summary>The entry of <paramref name="token"/> (a bearer token as the client sent it); null when it has none.</summary>
    public WriteToken? Find(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);

        // Every entry is compared, each in constant time, so the time taken says nothing of which (or whether one)
        // matched or how many leading bytes of a hash a guess got right.
        WriteToken? found = null;
        foreach (var entry in Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, entry.Hash))
            {
                found = entry;
            }
        }

        return found;
    }
}
