using System.Buffers.Binary;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Registry.Core.View;
using Registry.Server.Dns.Wire;

namespace Registry.Server.Dns.Transport;

/// <summary>
/// Turns one received message into its reply, for UDP and TCP alike: the transport's decisions in one place.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Fast path</b> (<see cref="DnsQueryKind.Fast"/>): the answer cache of the current snapshot; on a miss the
/// responder answers the query with its name lower-cased, and the encoded answer is kept as a template. No allocation
/// on a hit.</item>
/// <item><b>Slow path</b> (<see cref="DnsQueryKind.Slow"/>): ARSoft's parser and the responder, uncached. BADVERS,
/// NOTIMP, FORMERR for QDCOUNT other than 1 and the like come from the responder, as they did before the fast path.</item>
/// <item><b>Special</b>: transfers and TSIG go to <see cref="IDnsSpecialQueryHandler"/>; without one, unsigned transfers
/// take the slow path (the responder refuses them) and signed queries get NOTAUTH.</item>
/// <item><b>Malformed</b>: FORMERR from the header, and nothing is dropped but responses and fragments.</item>
/// </list>
/// Both paths encode with ARSoft (<see cref="ArsoftWire"/>) and truncate the same way, so their bytes are equal.
/// </remarks>
internal sealed class DnsQueryProcessor
{
    /// <summary>The largest DNS message there is (the TCP length prefix is 16 bits).</summary>
    public const int MaxMessageLength = 65535;

    /// <summary>Every client takes 512 bytes over UDP (RFC 1035 §4.2.1): shorter answers need no truncated form.</summary>
    private const int MinUdpLimit = 512;

    private readonly Func<ViewSnapshot> _currentView;
    private readonly DnsResponder _responder;
    private readonly DnsTransportCounters _counters;
    private readonly ILogger _logger;
    private readonly bool _hasSpecialHandler;
    private readonly int _cacheCapacity;
    private DnsAnswerCache? _cache;

    public DnsQueryProcessor(Func<ViewSnapshot> currentView, DnsResponder responder, DnsTransportCounters counters, ILogger logger, bool hasSpecialHandler, int cacheCapacity = DnsAnswerCache.DefaultCapacity)
    {
        _currentView = currentView;
        _responder = responder;
        _counters = counters;
        _logger = logger;
        _hasSpecialHandler = hasSpecialHandler;
        _cacheCapacity = cacheCapacity;
    }

    /// <summary>The cache of the snapshot last answered from (for tests).</summary>
    internal DnsAnswerCache? Cache => Volatile.Read(ref _cache);

    /// <summary>The reply to <paramref name="message"/>, received over TCP or UDP; <paramref name="query"/> is what the parser read.</summary>
    public DnsReply Answer(ReadOnlySpan<byte> message, bool tcp, out DnsQuery query)
    {
        var kind = DnsQueryParser.Parse(message, out query);
        if (kind == DnsQueryKind.Drop)
        {
            _counters.Drop();
            return DnsReply.None;
        }

        _counters.Query();
        switch (kind)
        {
            case DnsQueryKind.Malformed:
                _counters.FormError();
                return DnsReply.Complete(DnsErrorResponse.Create(message, query, DnsErrorResponse.FormErr));
            case DnsQueryKind.Special:
                _counters.SpecialQuery();
                return _hasSpecialHandler ? DnsReply.Special
                    : query.Signed ? DnsReply.Complete(DnsErrorResponse.Create(message, query, DnsErrorResponse.NotAuth))
                    : Slow(message, tcp, query);
            case DnsQueryKind.Fast:
                return Fast(message, tcp, query);
            default:
                return Slow(message, tcp, query);
        }
    }

    /// <summary>The slow path's reply, whatever the message's kind (for tests comparing the paths).</summary>
    internal DnsReply Slow(ReadOnlySpan<byte> message, bool tcp, in DnsQuery query)
    {
        _counters.Slow();
        DnsMessage parsed;
        try
        {
            parsed = DnsMessage.Parse(message.ToArray());
        }
#pragma warning disable CA1031 // whatever ARSoft's parser throws, the bytes are no query it can read: FORMERR.
        catch (Exception)
#pragma warning restore CA1031
        {
            _counters.FormError();
            return DnsReply.Complete(DnsErrorResponse.Create(message, query, DnsErrorResponse.FormErr));
        }

        var response = _responder.Respond(parsed, _currentView());
        var full = Encode(response);
        var limit = Limit(tcp, query);
        if (full.Length <= limit)
        {
            return DnsReply.Complete(full);
        }

        _counters.Truncate();
        return DnsReply.Complete(EncodeTruncated(response));
    }

    private DnsReply Fast(ReadOnlySpan<byte> message, bool tcp, in DnsQuery query)
    {
        // The cache belongs to the index the answers come from, not to the view: while a new snapshot is being indexed
        // the responder answers from the previous index, and an answer cached under the new view would outlive it.
        var index = _responder.Serving(_currentView());
        var cache = CacheOf(index);
        Span<byte> key = stackalloc byte[DnsAnswerCache.MaxKeyLength];
        key = key[..DnsAnswerCache.WriteKey(message, query, key)];
        if (cache.TryGet(key, out var answer))
        {
            _counters.FastHit();
        }
        else if (cache.TryCarry(key, out answer))
        {
            _counters.FastHit();
            _counters.AnswerCarried();
        }
        else
        {
            _counters.FastMiss();
            answer = Build(message, query, index);
            if (answer is null)
            {
                return Slow(message, tcp, query);
            }

            if (cache.TryAdd(key, answer))
            {
                DnsTransportLog.CacheFull(_logger, index.View.Revision.ToString(), cache.Capacity);
            }
        }

        var bytes = answer.For(Limit(tcp, query));
        if (!ReferenceEquals(bytes, answer.Full))
        {
            _counters.Truncate();
        }

        return DnsReply.Template(bytes);
    }

    /// <summary>
    /// The cache entry for a fast-path query: the responder's answer to the query with its name lower-cased, so that
    /// the template does not depend on how the first client spelled it. Null for SERVFAIL (not worth keeping: whatever
    /// failed may not fail next time) and for what ARSoft does not parse.
    /// </summary>
    private static DnsCachedAnswer? Build(ReadOnlySpan<byte> message, in DnsQuery query, DnsZoneIndex index)
    {
        var lowered = message.ToArray();
        foreach (ref var b in lowered.AsSpan(DnsQuery.NameOffset, query.NameLength))
        {
            b = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        DnsMessage parsed;
        try
        {
            parsed = DnsMessage.Parse(lowered);
        }
#pragma warning disable CA1031 // the slow path answers it (FORMERR), uncached.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }

        var response = DnsResponder.RespondFrom(parsed, index);
        if (response.ReturnCode == ReturnCode.ServerFailure)
        {
            return null;
        }

        var full = Encode(response);
        var dependencies = DependenciesOf(response, full);
        return new DnsCachedAnswer(full, full.Length > MinUdpLimit ? EncodeTruncated(response) : null, dependencies);
    }

    /// <summary>The cache of <paramref name="index"/>: the current one if it is of that index, else a fresh one.</summary>
    private DnsAnswerCache CacheOf(DnsZoneIndex index)
    {
        var cache = Volatile.Read(ref _cache);
        if (cache is not null && ReferenceEquals(cache.Index, index))
        {
            return cache;
        }

        var fresh = new DnsAnswerCache(index, _cacheCapacity, cache);
        var seen = Interlocked.CompareExchange(ref _cache, fresh, cache);
        if (ReferenceEquals(seen, cache))
        {
            _counters.NewCache(fresh.Carries);
        }

        return ReferenceEquals(seen, cache) || seen is null || !ReferenceEquals(seen.Index, index) ? fresh : seen;
    }

    /// <summary>The names <paramref name="response"/> depends on, by <see cref="DnsZoneIndex.ChangedNames"/>'s contract.</summary>
    private static DnsAnswerDependencies DependenciesOf(DnsMessage response, byte[] encoded)
    {
        var encloser = new List<DomainName> { response.Questions[0].Name };
        var exact = new HashSet<DomainName>();
        if (response.AnswerRecords.Count == 0 && response.AuthorityRecords is [SoaRecord] && NegativeSerialOffset(encoded) is var offset and >= 0)
        {
            // Owners of the additional section (none for a negative answer but the OPT) still count.
            foreach (var record in response.AdditionalRecords.Where(r => r is not OptRecord))
            {
                exact.Add(record.Name);
            }

            return new DnsAnswerDependencies([.. encloser], [.. exact], offset);
        }

        foreach (var record in response.AnswerRecords.Concat(response.AuthorityRecords).Concat(response.AdditionalRecords))
        {
            if (record is OptRecord)
            {
                continue;
            }

            exact.Add(record.Name);
            switch (record)
            {
                case CNameRecord alias:
                    encloser.Add(alias.CanonicalName);
                    break;
                case SrvRecord srv:
                    exact.Add(srv.Target);
                    break;
                case MxRecord mx:
                    exact.Add(mx.ExchangeDomainName);
                    break;
                case NsRecord ns:
                    exact.Add(ns.NameServer);
                    break;
                default:
                    break;
            }
        }

        return new DnsAnswerDependencies([.. encloser], [.. exact]);
    }

    /// <summary>
    /// Where the serial of the one SOA in the authority section is, in an encoded answer with no answer records; -1
    /// when the message is not laid out so (then the answer is not carried with a new serial, only made again).
    /// </summary>
    internal static int NegativeSerialOffset(ReadOnlySpan<byte> message)
    {
        if (message.Length < 12 || BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(message[6..]) != 0
            || BinaryPrimitives.ReadUInt16BigEndian(message[8..]) != 1)
        {
            return -1;
        }

        var at = SkipName(message, 12) + 4; // the question
        at = SkipName(message, at); // the SOA's owner
        if (at < 0 || at + 10 > message.Length || BinaryPrimitives.ReadUInt16BigEndian(message[at..]) != (ushort)RecordType.Soa)
        {
            return -1;
        }

        at = SkipName(message, at + 10); // MNAME
        at = at < 0 ? -1 : SkipName(message, at); // RNAME
        return at < 0 || at + 20 > message.Length ? -1 : at;
    }

    /// <summary>The offset after the (possibly compressed) name at <paramref name="at"/>, or -1.</summary>
    private static int SkipName(ReadOnlySpan<byte> message, int at)
    {
        while (at >= 0 && at < message.Length)
        {
            var length = message[at];
            if (length == 0)
            {
                return at + 1;
            }

            if ((length & 0xC0) == 0xC0)
            {
                return at + 2 <= message.Length ? at + 2 : -1;
            }

            at += 1 + length;
        }

        return -1;
    }

    private static int Limit(bool tcp, in DnsQuery query) => tcp ? MaxMessageLength : query.UdpLimit;

    private static byte[] Encode(DnsMessage response) => [.. ArsoftWire.Encode(response)];

    /// <summary>
    /// The truncated form (RFC 2181 §9, RFC 6891 §7): TC set, the header and question, the OPT record if the query had
    /// one, and no records, as BIND sends it; the client retries over TCP. Empties <paramref name="response"/>.
    /// </summary>
    private static byte[] EncodeTruncated(DnsMessage response)
    {
        var opt = response.EDnsOptions;
        response.AnswerRecords.Clear();
        response.AuthorityRecords.Clear();
        response.AdditionalRecords.Clear();
        response.EDnsOptions = opt;
        response.IsTruncated = true;
        return Encode(response);
    }
}
