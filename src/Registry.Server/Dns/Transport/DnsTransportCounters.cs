namespace Registry.Server.Dns.Transport;

/// <summary>
/// What the DNS transport has done since start: cheap interlocked counts, read by tests and logged at stop (never per
/// query: at 100k queries per second a log line per query would cost more than the answer).
/// </summary>
internal sealed class DnsTransportCounters
{
    private long _queries;
    private long _fastHits;
    private long _fastMisses;
    private long _cachesCarried;
    private long _cachesReset;
    private long _answersCarried;
    private long _slowPath;
    private long _special;
    private long _dropped;
    private long _formErrors;
    private long _truncated;
    private long _errors;
    private long _tcpConnections;
    private long _tcpRefused;
    private long _tcpClosedSlow;

    /// <summary>Messages received that were not dropped.</summary>
    public long Queries => Volatile.Read(ref _queries);

    /// <summary>Answers served from the cache.</summary>
    public long FastHits => Volatile.Read(ref _fastHits);

    /// <summary>Fast-path queries that had to be answered by the responder (first of their key in a snapshot, or the cache was full).</summary>
    public long FastMisses => Volatile.Read(ref _fastMisses);

    /// <summary>New answer caches that could take unchanged answers from the one before (an incremental index).</summary>
    public long CachesCarried => Volatile.Read(ref _cachesCarried);

    /// <summary>New answer caches that started empty (a full index build, or an index skipped).</summary>
    public long CachesReset => Volatile.Read(ref _cachesReset);

    /// <summary>Fast hits served by an answer carried from the previous index's cache.</summary>
    public long AnswersCarried => Volatile.Read(ref _answersCarried);

    /// <summary>Queries answered by ARSoft's parser and the responder, uncached.</summary>
    public long SlowPath => Volatile.Read(ref _slowPath);

    /// <summary>Transfers and TSIG-signed queries.</summary>
    public long Special => Volatile.Read(ref _special);

    /// <summary>Messages not answered: responses (QR set) and fragments shorter than a header.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>FORMERR answers for messages that do not parse.</summary>
    public long FormErrors => Volatile.Read(ref _formErrors);

    /// <summary>UDP answers sent truncated (TC).</summary>
    public long Truncated => Volatile.Read(ref _truncated);

    /// <summary>Exceptions caught by a receive loop or connection (each logged, at most once a second).</summary>
    public long Errors => Volatile.Read(ref _errors);

    public long TcpConnections => Volatile.Read(ref _tcpConnections);

    /// <summary>TCP connections closed at once because the connection limit was reached.</summary>
    public long TcpRefused => Volatile.Read(ref _tcpRefused);

    /// <summary>TCP connections closed because the client did not read its answers.</summary>
    public long TcpClosedSlow => Volatile.Read(ref _tcpClosedSlow);

    public void Query() => Interlocked.Increment(ref _queries);

    public void FastHit() => Interlocked.Increment(ref _fastHits);

    public void FastMiss() => Interlocked.Increment(ref _fastMisses);

    public void NewCache(bool carried) => Interlocked.Increment(ref carried ? ref _cachesCarried : ref _cachesReset);

    public void AnswerCarried() => Interlocked.Increment(ref _answersCarried);

    public void Slow() => Interlocked.Increment(ref _slowPath);

    public void SpecialQuery() => Interlocked.Increment(ref _special);

    public void Drop() => Interlocked.Increment(ref _dropped);

    public void FormError() => Interlocked.Increment(ref _formErrors);

    public void Truncate() => Interlocked.Increment(ref _truncated);

    public void Error() => Interlocked.Increment(ref _errors);

    public void TcpConnection() => Interlocked.Increment(ref _tcpConnections);

    public void TcpRefuse() => Interlocked.Increment(ref _tcpRefused);

    public void TcpCloseSlow() => Interlocked.Increment(ref _tcpClosedSlow);

    public override string ToString() =>
        $"queries {Queries}, fast hits {FastHits} ({AnswersCarried} carried), fast misses {FastMisses}, caches {CachesCarried} carried {CachesReset} reset, slow path {SlowPath}, special {Special}, dropped {Dropped}, "
        + $"formerr {FormErrors}, truncated {Truncated}, errors {Errors}, tcp connections {TcpConnections}, tcp refused {TcpRefused}, "
        + $"tcp closed as slow readers {TcpClosedSlow}";
}
