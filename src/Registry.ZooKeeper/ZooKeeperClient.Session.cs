using System.Text;
using Registry.ZooKeeper.Internal;
using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper;

/// <summary>The session loop: connect, serve until the connection breaks, reconnect to the next server.</summary>
public sealed partial class ZooKeeperClient : IConnectionOwner
{
    /// <summary>setWatches2 frames stay under this size (the server's jute.maxbuffer is 1 MiB; the Java client uses 128 kB).</summary>
    private const int SetWatchesChunkBytes = 128 * 1024;

    private async Task RunSessionAsync()
    {
        var failedRounds = 0;
        var attemptFailedThisRound = false;
        var token = _closing.Token;
        while (!token.IsCancellationRequested)
        {
            if (_hosts.AtRoundStart && attemptFailedThisRound)
            {
                // Every server failed once: back off (exponential, jittered) so a dead ensemble costs no CPU.
                failedRounds++;
                var capMs = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, 25 * Math.Pow(2, Math.Min(failedRounds, 16)));
                var delay = TimeSpan.FromMilliseconds((capMs / 2) + (Random.Shared.NextDouble() * capMs / 2));
                try
                {
                    await Task.Delay(delay, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (_hosts.AtRoundStart)
            {
                attemptFailedThisRound = false;
            }

            var connection = await TryConnectAsync(token).ConfigureAwait(false);
            if (connection is null)
            {
                attemptFailedThisRound = true;
                if (IsTerminal(State))
                {
                    return;
                }

                continue;
            }

            failedRounds = 0;
            var reason = await connection.Completion.ConfigureAwait(false);
            _connection = null;
            if (token.IsCancellationRequested || IsTerminal(State))
            {
                return;
            }

            Log.ConnectionLost(_logger, SessionId, connection.RemoteEndPoint, reason.Message);
            SetState(SessionState.Suspended);
        }
    }

    /// <summary>One attempt at the next server; null when it failed (the state says whether the session ended).</summary>
    private async Task<ClientConnection?> TryConnectAsync(CancellationToken cancellationToken)
    {
        System.Net.DnsEndPoint? server = null;
        try
        {
            (server, var address) = await _hosts.NextAsync(cancellationToken).ConfigureAwait(false);
            Log.Connecting(_logger, $"{server.Host}:{server.Port}", address);
            // A session that has only seen read-only servers is local to one of them: a read-write server would
            // report it expired, so ask for a new one (as the Java client does).
            var resume = Volatile.Read(ref _seenReadWriteServer);
            var request = new ConnectRequest(
                0,
                LastZxid,
                (int)_options.SessionTimeout.TotalMilliseconds,
                resume ? SessionId : 0,
                resume ? Volatile.Read(ref _sessionPassword) : new byte[16],
                _options.CanBeReadOnly);
            var (connection, response) = await ClientConnection
                .OpenAsync(address, request, ConnectTimeout, _options, this, _logger, cancellationToken)
                .ConfigureAwait(false);

            if (response.TimeoutMs <= 0)
            {
                connection.Break(new SessionExpiredException());
                ExpireSession();
                return null;
            }

            Interlocked.Exchange(ref _sessionId, response.SessionId);
            Volatile.Write(ref _sessionPassword, response.Password);
            Volatile.Write(ref _negotiatedTimeoutMs, response.TimeoutMs);
            connection.Start(response.TimeoutMs);

            // Watches and credentials go first, before any request of the application can reach this connection.
            var auth = Prime(connection);
            if (!_firstConnection.Task.IsCompleted && auth.Count > 0)
            {
                Volatile.Write(ref _firstAuth, Task.WhenAll(auth));
            }

            _connection = connection;
            if (cancellationToken.IsCancellationRequested)
            {
                connection.Break(new ObjectDisposedException(nameof(ZooKeeperClient)));
                return null;
            }

            // The session may have ended while this handshake ran (a credential rejected on the connection before):
            // a terminal state is never left, so this connection must carry nothing. Checked after it became the
            // current connection, so that an end that comes later breaks it (OnAuthFailed breaks the current one).
            if (IsTerminal(State))
            {
                _connection = null;
                connection.Break(NotConnected(null));
                return null;
            }

            Log.Connected(_logger, response.SessionId, connection.RemoteEndPoint, response.TimeoutMs, response.ReadOnly);
            if (!response.ReadOnly)
            {
                Volatile.Write(ref _seenReadWriteServer, true);
            }
            else
            {
                _ = SeekReadWriteServerAsync(connection);
            }

            SetState(response.ReadOnly ? SessionState.ConnectedReadOnly : SessionState.Connected);
            _firstConnection.TrySetResult();
            return connection;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // Any failure of one attempt means: try the next server.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (server is not null)
            {
                Log.ConnectFailed(_logger, $"{server.Host}:{server.Port}", ex is OperationCanceledException ? $"no answer within {ConnectTimeout}" : ex.Message);
            }

            return null;
        }
    }

    /// <summary>While on a read-only server, look for a read-write one and move there when found.</summary>
    private async Task SeekReadWriteServerAsync(ClientConnection connection)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token);
        _ = connection.Completion.ContinueWith(static (_, state) => ((CancellationTokenSource)state!).Cancel(), stop, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            var server = await ReadWriteServerProbe.FindAsync(_hosts.Servers, connection.RemoteEndPoint, ConnectTimeout, stop.Token).ConfigureAwait(false);
            if (server is not null)
            {
                Log.ReadWriteServerFound(_logger, $"{server.Host}:{server.Port}");
                _hosts.PreferNext(server);
                connection.Break(new IOException($"moving to read-write server {server.Host}:{server.Port}"));
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended or the client closed: the session loop takes it from here.
        }
    }

    private void ExpireSession()
    {
        Log.SessionExpired(_logger, SessionId);
        SetState(SessionState.Expired);
        NotifyWatchersOfSessionEnd(SessionState.Expired);
        _firstConnection.TrySetException(new SessionExpiredException(null, $"session 0x{SessionId:x} has expired"));
    }

    private void OnAuthFailed()
    {
        Log.AuthFailed(_logger, SessionId);
        SetState(SessionState.AuthFailed);
        _connection?.Break(new AuthFailedException());
        NotifyWatchersOfSessionEnd(SessionState.AuthFailed);
        _firstConnection.TrySetException(new AuthFailedException());
    }

    /// <summary>Watches can never fire once the session ends: tell each watcher, once, and forget them.</summary>
    private void NotifyWatchersOfSessionEnd(SessionState state)
    {
        foreach (var watcher in _watches.Clear())
        {
            _events.Enqueue(watcher, new WatchedEvent(WatchEventType.None, state, null));
        }
    }

    /// <summary>Sends the watches and credentials; returns the replies to the credentials.</summary>
    private List<Task> Prime(ClientConnection connection)
    {
        var watches = _watches.Snapshot();
        var relativeZxid = LastZxid;
        var chunks = 0;
        var count = 0;
        var current = NewSetWatches(relativeZxid);
        var size = 0;
        foreach (var (kind, paths) in watches)
        {
            foreach (var path in paths)
            {
                var serverPath = ZooKeeperPath.ToServer(Chroot, path);
                var bytes = Encoding.UTF8.GetByteCount(serverPath) + 4;
                if (size + bytes > SetWatchesChunkBytes && size > 0)
                {
                    SendPrime(connection, current);
                    chunks++;
                    current = NewSetWatches(relativeZxid);
                    size = 0;
                }

                current.ListFor(kind).Add(serverPath);
                size += bytes;
                count++;
            }
        }

        if (size > 0)
        {
            SendPrime(connection, current);
            chunks++;
        }

        if (chunks > 0)
        {
            Log.WatchesRearmed(_logger, count, chunks, relativeZxid);
        }

        List<(string Scheme, byte[] Auth)> credentials;
        lock (_authInfo)
        {
            credentials = [.. _authInfo];
        }

        var replies = new List<Task>(credentials.Count);
        foreach (var (scheme, auth) in credentials)
        {
            replies.Add(SendPrime(connection, new AuthRequest(scheme, auth), Xids.Auth));
        }

        return replies;
    }

    private Task<EmptyResponse> SendPrime<TRequest>(ClientConnection connection, TRequest request, int xid = Xids.SetWatches)
        where TRequest : IJuteRequest
    {
        var pending = new PendingRequest<TRequest, EmptyResponse>(request) { Xid = xid };
        if (!connection.TryEnqueue(pending))
        {
            // Broken already: the next connection primes again; whoever waits for the reply must not wait for ever.
            pending.Fail(new ConnectionLossException(null, "the connection broke before it was primed"));
        }

        pending.Task.ContinueWith(
            static (task, state) =>
            {
                var (client, connection) = ((ZooKeeperClient, ClientConnection))state!;
                if (task.Exception?.InnerException is AuthFailedException)
                {
                    client.OnAuthFailed();
                }
                else if (task.Exception?.InnerException is { } ex and not ConnectionLossException)
                {
                    Log.PrimeFailed(client._logger, ex.Message);
                    connection.Break(ex);
                }
            },
            (this, connection),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return pending.Task;
    }

    private static SetWatches2Request NewSetWatches(long relativeZxid) => new(relativeZxid, [], [], [], [], []);


    void IConnectionOwner.OnReply(PendingRequest request, in ReplyHeader header)
    {
        var zxid = header.Zxid;
        if (zxid > 0)
        {
            // Monotonic: a reply never moves the client's view of the ensemble back in time.
            long seen;
            do
            {
                seen = Interlocked.Read(ref _lastZxid);
            }
            while (zxid > seen && Interlocked.CompareExchange(ref _lastZxid, zxid, seen) != seen);
        }

        if (request.Watch is { } watch && watch.KindFor(header.Err) is { } kind)
        {
            _watches.Add(kind, watch.ClientPath, watch.Watcher);
        }
    }

    void IConnectionOwner.OnNotification(in ReplyHeader header, in WatcherEvent watcherEvent)
    {
        var type = (WatchEventType)watcherEvent.Type;
        if (type == WatchEventType.None)
        {
            return;
        }

        var path = ZooKeeperPath.ToClient(Chroot, watcherEvent.Path);
        if (path is null)
        {
            Log.NotificationOutsideChroot(_logger, watcherEvent.Path);
            return;
        }

        var watchedEvent = new WatchedEvent(type, State, path, header.Zxid);
        foreach (var watcher in _watches.Materialize(type, path))
        {
            _events.Enqueue(watcher, watchedEvent);
        }
    }
}
