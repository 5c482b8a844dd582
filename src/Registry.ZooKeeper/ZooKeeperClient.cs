using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Registry.ZooKeeper.Internal;

namespace Registry.ZooKeeper;

/// <summary>
/// An asynchronous ZooKeeper client holding one session. Thread-safe; requests are pipelined on one connection and
/// answered in order. When the connection is lost the session is <see cref="SessionState.Suspended"/>: requests fail
/// fast with <see cref="ConnectionLossException"/> while the client reconnects to the next server with the same
/// session and re-arms every watch. An expired session is terminal: open a new client.
/// </summary>
public sealed partial class ZooKeeperClient : IAsyncDisposable
{
    private readonly ZooKeeperClientOptions _options;
    private readonly ConnectionString _connectString;
    private readonly HostProvider _hosts;
    private readonly WatchManager _watches = new();
    private readonly EventDispatcher _events;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource _firstConnection = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(string Scheme, byte[] Auth)> _authInfo = [];
    private readonly List<Channel<SessionState>> _stateSubscribers = [];
    private readonly Lock _stateLock = new();
    private volatile ClientConnection? _connection;
    private SessionState _state = SessionState.Connecting;
    private long _sessionId;
    private byte[] _sessionPassword;
    private int _negotiatedTimeoutMs;
    private long _lastZxid;
    private bool _seenReadWriteServer;
    private Task _sessionLoop = Task.CompletedTask;

    // The replies to the first connection's credentials (see ConnectAsync).
    private Task _firstAuth = Task.CompletedTask;
    private int _disposed;

    private ZooKeeperClient(ZooKeeperClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SessionTimeout <= TimeSpan.Zero || options.SessionTimeout > TimeSpan.FromMilliseconds(int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SessionTimeout, "SessionTimeout must be positive");
        }

        _options = options;
        _connectString = ConnectionString.Parse(options.ConnectString);
        _hosts = new HostProvider(_connectString.Servers);
        _logger = options.LoggerFactory?.CreateLogger<ZooKeeperClient>() ?? NullLogger<ZooKeeperClient>.Instance;
        _events = new EventDispatcher(_logger);
        _sessionId = options.SessionId;
        _sessionPassword = options.SessionId != 0 ? options.SessionPassword.ToArray() : new byte[16];
        foreach (var credential in options.Credentials)
        {
            ArgumentNullException.ThrowIfNull(credential, nameof(options));
            _authInfo.Add((credential.Scheme, credential.Auth.ToArray()));
        }

        // A session to resume was made on a read-write server; one first opened on a read-only server is not.
        _seenReadWriteServer = options.SessionId != 0;
    }

    /// <summary>The session id (0 before the first connection).</summary>
    public long SessionId => Interlocked.Read(ref _sessionId);

    /// <summary>The session's password, which with <see cref="SessionId"/> lets another client resume the session.</summary>
    public ReadOnlyMemory<byte> SessionPassword => Volatile.Read(ref _sessionPassword);

    /// <summary>The session timeout the server granted.</summary>
    public TimeSpan SessionTimeout => TimeSpan.FromMilliseconds(Volatile.Read(ref _negotiatedTimeoutMs));

    /// <summary>The current session state.</summary>
    public SessionState State
    {
        get
        {
            lock (_stateLock)
            {
                return _state;
            }
        }
    }

    /// <summary>The highest zxid seen in a reply; sent at reconnect so the client never moves back in time.</summary>
    public long LastZxid => Interlocked.Read(ref _lastZxid);

    /// <summary>The chroot every path is relative to, or null.</summary>
    public string? Chroot => _connectString.Chroot;

    /// <summary>The server the client is connected to, or null while not connected.</summary>
    public EndPoint? ConnectedServer => _connection is { IsBroken: false } connection ? connection.RemoteEndPoint : null;

    /// <summary>Connects to <paramref name="connectString"/> with default options.</summary>
    /// <inheritdoc cref="ConnectAsync(ZooKeeperClientOptions, CancellationToken)"/>
    public static Task<ZooKeeperClient> ConnectAsync(string connectString, CancellationToken cancellationToken = default) =>
        ConnectAsync(new ZooKeeperClientOptions { ConnectString = connectString }, cancellationToken);

    /// <summary>Opens a session (or resumes <see cref="ZooKeeperClientOptions.SessionId"/>) and returns once connected.</summary>
    /// <exception cref="ArgumentException">The options are invalid (bad connect string, chroot or timeout).</exception>
    /// <exception cref="SessionExpiredException">The session to resume has expired.</exception>
    /// <exception cref="ConnectionLossException">No server accepted a session within <see cref="ZooKeeperClientOptions.InitialConnectTimeout"/>.</exception>
    /// <exception cref="AuthFailedException">The server rejected one of <see cref="ZooKeeperClientOptions.Credentials"/> (no provider for its scheme, or a provider refused it).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<ZooKeeperClient> ConnectAsync(ZooKeeperClientOptions options, CancellationToken cancellationToken = default)
    {
        var client = new ZooKeeperClient(options);
        client._sessionLoop = Task.Run(client.RunSessionAsync, CancellationToken.None);
        try
        {
            await client._firstConnection.Task.WaitAsync(options.InitialConnectTimeout, cancellationToken).ConfigureAwait(false);
            await client.FirstAuthAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (TimeoutException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new ConnectionLossException(null, $"no server of '{options.ConnectString}' accepted a session within {options.InitialConnectTimeout}");
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The current state, then every change, until the session ends or <paramref name="cancellationToken"/> is canceled.</summary>
    public async IAsyncEnumerable<SessionState> WatchStateAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Bounded, keeping the newest: a subscriber that does not read cannot grow memory during a reconnect storm.
        var channel = Channel.CreateBounded<SessionState>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_stateLock)
        {
            channel.Writer.TryWrite(_state);
            if (IsTerminal(_state))
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _stateSubscribers.Add(channel);
            }
        }

        try
        {
            await foreach (var state in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return state;
            }
        }
        finally
        {
            lock (_stateLock)
            {
                _stateSubscribers.Remove(channel);
            }
        }
    }

    /// <summary>Closes the session: its ephemeral nodes are deleted at once and its watches removed.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        // Stop the session loop first: once the server has closed the session it drops the connection, and a
        // reconnect in that gap would find the session gone and report Expired after a clean close.
        await _closing.CancelAsync().ConfigureAwait(false);
        var connection = _connection;
        if (connection is not null && !IsTerminal(State))
        {
            try
            {
                var close = new PendingRequest<Jute.EmptyRequest, Jute.EmptyResponse>(new Jute.EmptyRequest(Protocol.OpCode.CloseSession));
                if (connection.TryEnqueue(close))
                {
                    await close.Task.WaitAsync(ConnectTimeout, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is KeeperException or TimeoutException)
            {
                // The server will expire the session by itself; closing locally is all that is left.
            }
        }

        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops the client without waiting for the server (the session then expires after its timeout), unless <see cref="CloseAsync"/> ran first.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var wasOpen = !IsTerminal(State);
        SetState(SessionState.Closed);
        await _closing.CancelAsync().ConfigureAwait(false);
        _connection?.Break(new ObjectDisposedException(nameof(ZooKeeperClient)));
        await _sessionLoop.ConfigureAwait(false);
        if (wasOpen)
        {
            Log.Closed(_logger, SessionId);
        }

        NotifyWatchersOfSessionEnd(SessionState.Closed);
        await _events.DisposeAsync().ConfigureAwait(false);
        _closing.Dispose();
    }

    /// <summary>
    /// Waits for the server's answer to the credentials of the options, so that a rejected one fails ConnectAsync
    /// rather than a later request. A connection lost before the answer is not a failure: the next one sends them again.
    /// </summary>
    private async Task FirstAuthAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Volatile.Read(ref _firstAuth).WaitAsync(_options.InitialConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (ConnectionLossException)
        {
        }
    }

    private TimeSpan ConnectTimeout =>
        _options.ConnectTimeout ?? TimeSpan.FromMilliseconds(Math.Max(1000, _options.SessionTimeout.TotalMilliseconds / _hosts.Count));

    private static bool IsTerminal(SessionState state) => state is SessionState.Expired or SessionState.AuthFailed or SessionState.Closed;

    private void SetState(SessionState state)
    {
        SessionState previous;
        lock (_stateLock)
        {
            previous = _state;
            if (previous == state || IsTerminal(previous))
            {
                return;
            }

            _state = state;
            foreach (var subscriber in _stateSubscribers)
            {
                subscriber.Writer.TryWrite(state);
                if (IsTerminal(state))
                {
                    subscriber.Writer.TryComplete();
                }
            }

            if (IsTerminal(state))
            {
                _stateSubscribers.Clear();
            }
        }

        Log.StateChanged(_logger, previous, state);
        if (_options.SessionWatcher is { } watcher)
        {
            _events.Enqueue(watcher, new WatchedEvent(WatchEventType.None, state, null));
        }
    }
}
