using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Registry.Core.View;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// The pre-encoded answers of one DNS index (so of one view snapshot), keyed by (lower-cased wire name, QTYPE, QCLASS,
/// EDNS, DO): what the fast path serves. A new index gets a new cache, so an answer never outlives the index it was
/// made from and nothing is ever invalidated.
/// </summary>
/// <remarks>
/// Bounded: past <see cref="Capacity"/> entries nothing more is added, so a flood of random names (each a distinct
/// NXDOMAIN) costs slow-path CPU but no memory; the names cached before the flood keep being fast.
/// </remarks>
internal sealed class DnsAnswerCache
{
    /// <summary>
    /// The default bound. An entry is about 300 bytes for a typical answer (key, two arrays, the dictionary node) and
    /// up to ~2.5 KB for the largest UDP-sized ones, so 100,000 entries cost tens of megabytes at worst, while a zone of
    /// 10,000 services with a few types each fits with room to spare.
    /// </summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>Key bytes: the name (at most 255), QTYPE, QCLASS and a flags byte.</summary>
    public const int MaxKeyLength = 255 + 5;

    private readonly ConcurrentDictionary<byte[], DnsCachedAnswer> _entries = new(DnsCacheKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], DnsCachedAnswer>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private int _count;
    private int _fullReported;

    private DnsAnswerCache? _previous;

    /// <param name="index">The index every answer here comes from.</param>
    /// <param name="capacity">The most answers kept.</param>
    /// <param name="previous">
    /// The cache of the index before, whose answers <see cref="TryCarry"/> may reuse when <paramref name="index"/> was
    /// built incrementally from that one; its own predecessor is let go, so caches never chain.
    /// </param>
    public DnsAnswerCache(DnsZoneIndex index, int capacity = DefaultCapacity, DnsAnswerCache? previous = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Index = index;
        if (previous is not null && index.ChangedNames is not null && index.BaseGeneration == previous.Index.Generation)
        {
            _previous = previous;
        }

        if (previous is not null)
        {
            Volatile.Write(ref previous._previous, null);
        }

        Capacity = capacity;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>The index every answer here was made from.</summary>
    public DnsZoneIndex Index { get; }

    /// <summary>The snapshot of <see cref="Index"/>.</summary>
    public ViewSnapshot View => Index.View;

    public int Capacity { get; }

    /// <summary>How many answers are cached.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Writes the key of <paramref name="query"/> (read from <paramref name="message"/>) into <paramref name="key"/>; returns its length.</summary>
    public static int WriteKey(ReadOnlySpan<byte> message, in DnsQuery query, Span<byte> key)
    {
        var name = message.Slice(DnsQuery.NameOffset, query.NameLength);
        for (var i = 0; i < name.Length; i++)
        {
            // ASCII only (RFC 4343): the fast path takes no other bytes, and length octets are below 'A'.
            var b = name[i];
            key[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        var at = name.Length;
        key[at++] = (byte)(query.QType >> 8);
        key[at++] = (byte)query.QType;
        key[at++] = (byte)(query.QClass >> 8);
        key[at++] = (byte)query.QClass;
        key[at++] = (byte)((query.HasEdns ? 1 : 0) | (query.DnssecOk ? 2 : 0));
        return at;
    }

    public bool TryGet(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out DnsCachedAnswer answer) => _lookup.TryGetValue(key, out answer);

    /// <summary>
    /// The previous index's answer for <paramref name="key"/> when nothing it depends on changed since (the index's
    /// <see cref="DnsZoneIndex.ChangedNames"/>), added here; so that under a stream of registration changes only the
    /// answers of the changed names are made again, not every answer once per change.
    /// </summary>
    public bool TryCarry(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out DnsCachedAnswer answer)
    {
        answer = null;
        var previous = Volatile.Read(ref _previous);
        if (previous is null || !previous.TryGet(key, out var candidate) || candidate.Dependencies is not { } dependencies
            || !dependencies.Unchanged(Index.ChangedNames!, Index))
        {
            return false;
        }

        answer = candidate;
        TryAdd(key, candidate);
        return true;
    }

    /// <summary>
    /// Adds an answer unless the cache is full. Returns true the first time it finds itself full, so that the caller
    /// reports that once per snapshot rather than once per query.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> key, DnsCachedAnswer answer)
    {
        if (Volatile.Read(ref _count) >= Capacity)
        {
            return Interlocked.Exchange(ref _fullReported, 1) == 0;
        }

        if (_lookup.TryAdd(key, answer))
        {
            Interlocked.Increment(ref _count);
        }

        return false;
    }
}
