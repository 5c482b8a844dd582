using Microsoft.Extensions.Logging;

namespace Registry.ZooKeeper;

/// <summary>Settings of a <see cref="ZooKeeperClient"/>.</summary>
public sealed class ZooKeeperClientOptions
{
    /// <summary>
    /// Servers and optional chroot, as the Java client takes them: <c>host1:2181,host2:2181,[::1]:2181/app/root</c>.
    /// The port defaults to 2181. Servers are tried in a shuffled order.
    /// </summary>
    public required string ConnectString { get; init; }

    /// <summary>The session timeout to ask for; the server clamps it to its [minSessionTimeout, maxSessionTimeout].</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one connection attempt (TCP connect plus handshake) may take. Defaults to the session timeout
    /// divided by the number of servers (as the Java client does), and at least one second.
    /// </summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>How long <see cref="ZooKeeperClient.ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/> waits for the first session.</summary>
    public TimeSpan InitialConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Allow connecting to a server that has lost its quorum (servers need <c>readonlymode.enabled=true</c>): the
    /// session is <see cref="SessionState.ConnectedReadOnly"/>, reads work, writes fail with <see cref="NotReadOnlyException"/>,
    /// and the client moves to a read-write server as soon as one answers. A session opened on a read-only server is
    /// not kept: the read-write server gives a new one.
    /// </summary>
    public bool CanBeReadOnly { get; init; }

    /// <summary>Resume this existing session instead of creating one (with <see cref="SessionPassword"/>).</summary>
    public long SessionId { get; init; }

    /// <summary>The password of the session given by <see cref="SessionId"/>.</summary>
    public ReadOnlyMemory<byte> SessionPassword { get; init; }

    /// <summary>
    /// Credentials the session presents (e.g. <see cref="AuthInfo.Digest"/>): sent on the first connection before
    /// <see cref="ZooKeeperClient.ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/> returns, so that the first
    /// request already runs with them, and again on every reconnect. A credential the server rejects makes
    /// <c>ConnectAsync</c> fail with <see cref="AuthFailedException"/>.
    /// </summary>
    public IReadOnlyList<AuthInfo> Credentials { get; init; } = [];

    /// <summary>Receives session events (<see cref="WatchEventType.None"/>) in order with watch events.</summary>
    public IWatcher? SessionWatcher { get; init; }

    /// <summary>The largest frame accepted from a server; larger ones break the connection as corrupt.</summary>
    public int MaxFrameSize { get; init; } = Protocol.FrameDecoder.DefaultMaxFrameSize;

    /// <summary>
    /// The largest request frame sent. A server closes the connection on a frame over its <c>jute.maxbuffer</c>
    /// (1 MiB - 1 by default), failing every request in flight; the client fails just the oversized request instead.
    /// </summary>
    public int MaxRequestSize { get; init; } = 0xfffff;

    /// <summary>The longest pause between rounds of reconnect attempts once every server has failed.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where the client logs; nothing is logged when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The xid a new connection counts up from; tests set it near <see cref="int.MaxValue"/> to exercise the wrap.</summary>
    internal int InitialXid { get; init; }
}
