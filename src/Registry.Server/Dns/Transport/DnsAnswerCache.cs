using System.Buffers.Binary;
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

    /// <summary>
    /// How many caches back an answer may be carried from. Under 100 changes a second an index lives tens of
    /// milliseconds, too short for a zone's thousands of distinct questions to each come once; 16 indexes cover a few
    /// hundred milliseconds, which they do under load, and keep at most 16 caches alive.
    /// </summary>
    public const int CarryDepth = 16;

    private readonly ConcurrentDictionary<byte[], DnsCachedAnswer> _entries = new(DnsCacheKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], DnsCachedAnswer>.AlternateLookup<ReadOnlySpan<byte>> _lookup;
    private int _count;
    private int _fullReported;

    private DnsAnswerCache? _previous;

    /// <param name="index">The index every answer here comes from.</param>
    /// <param name="capacity">The most answers kept.</param>
    /// <param name="previous">
    /// The cache of the index before, whose answers (and those of up to <see cref="CarryDepth"/> caches before it)
    /// <see cref="TryCarry"/> may reuse when <paramref name="index"/> was built incrementally from that one's.
    /// </param>
    public DnsAnswerCache(DnsZoneIndex index, int capacity = DefaultCapacity, DnsAnswerCache? previous = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Index = index;
        if (previous is not null && index.ChangedNames is not null && index.BaseGeneration == previous.Index.Generation)
        {
            _previous = previous;

            // The chain stops CarryDepth caches back, so that old caches are let go.
            var last = previous;
            for (var depth = 1; depth < CarryDepth && Volatile.Read(ref last._previous) is { } older; depth++)
            {
                last = older;
            }

            Volatile.Write(ref last._previous, null);
        }
        else if (previous is not null)
        {
            Volatile.Write(ref previous._previous, null);
        }

        Capacity = capacity;
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    /// <summary>True when answers of the previous index's cache may be carried here.</summary>
    public bool Carries => Volatile.Read(ref _previous) is not null;

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
        // Back through the chain: an answer found k caches back must be unchanged by each of the k indexes' changes.
        answer = null;
        for (var cache = Volatile.Read(ref _previous); cache is not null; cache = Volatile.Read(ref cache._previous))
        {
            if (!cache.TryGet(key, out var candidate))
            {
                continue;
            }

            if (candidate.Dependencies is not { } dependencies || !UnchangedSince(cache, dependencies))
            {
                return false;
            }

            answer = dependencies.SerialOffset < 0 ? candidate : WithSerial(candidate, dependencies);
            if (answer is null)
            {
                return false;
            }

            TryAdd(key, answer);
            return true;
        }

        return false;
    }

    /// <summary>True when no index after <paramref name="source"/>'s, up to this one, changed what an answer depends on.</summary>
    private bool UnchangedSince(DnsAnswerCache source, DnsAnswerDependencies dependencies)
    {
        var cache = this;
        while (!ReferenceEquals(cache, source))
        {
            if (cache is null || cache.Index.ChangedNames is not { } changed || !dependencies.Unchanged(changed, cache.Index))
            {
                return false; // null: a newer cache cut the chain meanwhile, so some changes can no longer be checked
            }

            cache = Volatile.Read(ref cache._previous);
        }

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

    /// <summary>A negative answer with this index's serial for its zone written in (see <see cref="DnsAnswerDependencies.SerialOffset"/>).</summary>
    private DnsCachedAnswer? WithSerial(DnsCachedAnswer answer, DnsAnswerDependencies dependencies)
    {
        if (dependencies.Encloser.Length == 0 || Index.FindZone(dependencies.Encloser[0]) is not { } zone
            || dependencies.SerialOffset + 4 > answer.Full.Length || answer.Truncated is not null)
        {
            return null;
        }

        var full = (byte[])answer.Full.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(full.AsSpan(dependencies.SerialOffset), zone.Soa.SerialNumber);
        return answer with { Full = full };
    }
}
