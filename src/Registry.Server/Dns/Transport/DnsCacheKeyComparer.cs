namespace Registry.Server.Dns.Transport;

/// <summary>
/// Byte-wise equality for answer cache keys, with a <see cref="ReadOnlySpan{T}"/> alternate so that a lookup needs no
/// key array (the key is built on the stack per query; an array is made only when an entry is added).
/// </summary>
/// <remarks>
/// <see cref="HashCode"/> is seeded randomly per process, so a client cannot choose names that all land in one bucket.
/// </remarks>
internal sealed class DnsCacheKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly DnsCacheKeyComparer Instance = new();

    private DnsCacheKeyComparer()
    {
    }

    public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => Hash(obj);

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = default(HashCode);
        hash.AddBytes(key);
        return hash.ToHashCode();
    }
}
