using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper;

/// <summary>Which request a create mode needs, and TTL validation shared by create and multi.</summary>
internal static class CreateModes
{
    /// <summary>The server caps TTLs at 2^40-1 ms (EphemeralType.MAX_EXTENDED_SERVER_ID bits).</summary>
    public const long MaxTtlMilliseconds = (1L << 40) - 1;

    public static bool IsTtl(CreateMode mode) => mode is CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl;

    public static bool IsSequential(CreateMode mode) =>
        mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential or CreateMode.PersistentSequentialWithTtl;

    public static OpCode OpCodeFor(CreateMode mode) => mode switch
    {
        CreateMode.Container => OpCode.CreateContainer,
        CreateMode.PersistentWithTtl or CreateMode.PersistentSequentialWithTtl => OpCode.CreateTtl,
        _ => OpCode.Create2,
    };

    public static long TtlMilliseconds(CreateMode mode, TimeSpan? ttl)
    {
        if (!IsTtl(mode))
        {
            if (ttl is not null)
            {
                throw new ArgumentException($"a TTL is only valid with a TTL create mode, not {mode}", nameof(ttl));
            }

            return -1;
        }

        var ms = (long)(ttl ?? throw new ArgumentException($"create mode {mode} needs a TTL", nameof(ttl))).TotalMilliseconds;
        if (ms <= 0 || ms > MaxTtlMilliseconds)
        {
            throw new ArgumentOutOfRangeException(nameof(ttl), ttl, $"TTL must be between 1 ms and {MaxTtlMilliseconds} ms");
        }

        return ms;
    }
}
