using Registry.ZooKeeper.Internal;
using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper;

/// <summary>The node operations. Paths are relative to the chroot; every call takes a cancellation token.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>Creates a node and returns its actual path (sequential nodes get a suffix) and Stat.</summary>
    /// <param name="path">The node's path; for sequential modes it may end with '/'.</param>
    /// <param name="data">The node's data.</param>
    /// <param name="mode">Persistent, ephemeral, sequential, container or TTL.</param>
    /// <param name="acl">The node's ACL; <see cref="Acl.OpenUnsafe"/> when null.</param>
    /// <param name="ttl">The TTL, for the TTL modes only.</param>
    /// <param name="cancellationToken">Stops waiting for the reply (the request may still be applied).</param>
    /// <exception cref="NodeExistsException">The node exists.</exception>
    /// <exception cref="NoNodeException">The parent does not exist.</exception>
    /// <exception cref="NoChildrenForEphemeralsException">The parent is ephemeral.</exception>
    /// <exception cref="NoAuthException">The ACL of the parent forbids creating children.</exception>
    /// <exception cref="InvalidAclException">The ACL is invalid (empty, or <c>auth</c> without credentials).</exception>
    /// <exception cref="UnimplementedException">TTL nodes are disabled on the server (<c>zookeeper.extendedTypesEnabled</c>).</exception>
    /// <exception cref="ConnectionLossException">The connection was lost: the outcome is unknown.</exception>
    /// <exception cref="SessionExpiredException">The session has expired.</exception>
    public async Task<CreateResult> CreateAsync(
        string path,
        ReadOnlyMemory<byte> data,
        CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path), CreateModes.IsSequential(mode));
        var acls = ValidateAcl(acl);
        var ttlMs = CreateModes.TtlMilliseconds(mode, ttl);
        var serverPath = ToServer(path);
        var opCode = CreateModes.OpCodeFor(mode);
        Create2Response response = opCode == OpCode.CreateTtl
            ? await SendAsync<CreateTtlRequest, Create2Response>(new(serverPath, data, acls, (int)mode, ttlMs), path, null, cancellationToken).ConfigureAwait(false)
            : await SendAsync<CreateRequest, Create2Response>(new(opCode, serverPath, data, acls, (int)mode), path, null, cancellationToken).ConfigureAwait(false);
        return new CreateResult(ToClient(response.Path), response.Stat);
    }

    /// <summary>Deletes a node if its version matches (-1 matches any).</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    /// <exception cref="NotEmptyException">The node has children.</exception>
    /// <exception cref="NoAuthException">The parent's ACL forbids deleting children.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost: the outcome is unknown.</exception>
    public async Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        if (path == "/")
        {
            throw new ArgumentException("the root node cannot be deleted", nameof(path));
        }

        await SendAsync<DeleteRequest, EmptyResponse>(new(ToServer(path), version), path, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node's Stat, or null when it does not exist. A watcher fires on creation, deletion or data change.</summary>
    /// <exception cref="ConnectionLossException">The connection was lost.</exception>
    public async Task<Stat?> ExistsAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Exist, path, watcher);
        try
        {
            var response = await SendAsync<PathWatchRequest, StatResponse>(new(OpCode.Exists, ToServer(path), watcher is not null), path, watch, cancellationToken).ConfigureAwait(false);
            return response.Stat;
        }
        catch (NoNodeException)
        {
            return null;
        }
    }

    /// <summary>The node's data and Stat. A watcher fires on deletion or data change.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">The ACL forbids reading.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost.</exception>
    public async Task<DataResult> GetDataAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Data, path, watcher);
        var response = await SendAsync<PathWatchRequest, GetDataResponse>(new(OpCode.GetData, ToServer(path), watcher is not null), path, watch, cancellationToken).ConfigureAwait(false);
        return new DataResult(response.Data, response.Stat);
    }

    /// <summary>Sets the node's data if its version matches (-1 matches any) and returns the new Stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The version does not match.</exception>
    /// <exception cref="NoAuthException">The ACL forbids writing.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost: the outcome is unknown.</exception>
    public async Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var response = await SendAsync<SetDataRequest, StatResponse>(new(ToServer(path), data, version), path, null, cancellationToken).ConfigureAwait(false);
        return response.Stat;
    }

    /// <summary>The node's children and Stat. A watcher fires when a child is added or removed, or the node is deleted.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="NoAuthException">The ACL forbids reading.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost.</exception>
    public async Task<ChildrenResult> GetChildrenAsync(string path, IWatcher? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var watch = watcher is null ? null : new WatchRegistration(WatchKind.Child, path, watcher);
        var response = await SendAsync<PathWatchRequest, GetChildren2Response>(new(OpCode.GetChildren2, ToServer(path), watcher is not null), path, watch, cancellationToken).ConfigureAwait(false);
        return new ChildrenResult(response.Children, response.Stat);
    }

    /// <summary>Waits until the server this client is connected to has applied every write the leader committed before the call.</summary>
    /// <exception cref="ConnectionLossException">The connection was lost.</exception>
    public async Task<string> SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var response = await SendAsync<PathRequest, PathResponse>(new(OpCode.Sync, ToServer(path)), path, null, cancellationToken).ConfigureAwait(false);
        return ToClient(response.Path);
    }

    /// <summary>Applies every operation atomically, or none of them.</summary>
    /// <returns>One result per operation.</returns>
    /// <exception cref="KeeperException">
    /// The type of the first failing operation's error (e.g. <see cref="NodeExistsException"/>), with
    /// <see cref="KeeperException.MultiResults"/> giving every operation's outcome; nothing was applied.
    /// </exception>
    /// <exception cref="ConnectionLossException">The connection was lost: the outcome is unknown.</exception>
    public async Task<IReadOnlyList<OpResult>> MultiAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = new List<(Op, string)>();
        foreach (var op in ops)
        {
            ArgumentNullException.ThrowIfNull(op, nameof(ops));
            if (op.IsRead)
            {
                throw new ArgumentException($"{op.GetType().Name} on {op.Path} is a read: reads go in {nameof(MultiReadAsync)}", nameof(ops));
            }

            if (op is Op.CreateOp create)
            {
                ZooKeeperPath.Validate(create.Path, nameof(ops), CreateModes.IsSequential(create.Mode));
                ValidateAcl(create.Acl);
                CreateModes.TtlMilliseconds(create.Mode, create.Ttl);
            }
            else
            {
                ZooKeeperPath.Validate(op.Path, nameof(ops));
            }

            list.Add((op, ToServer(op.Path)));
        }

        if (list.Count == 0)
        {
            return [];
        }

        var response = await SendAsync<MultiRequest, MultiResponse>(new(list), null, null, cancellationToken, readBodyOnError: true).ConfigureAwait(false);
        var results = response.Results.Select(r => r is CreateResult c ? c with { Path = ToClient(c.Path) } : r).ToList();
        var failed = results.Select((r, i) => (Error: r as ErrorResult, Index: i))
            .FirstOrDefault(x => x.Error is { Code: not KeeperErrorCode.Ok and not KeeperErrorCode.RuntimeInconsistency });
        if (failed.Error is not null)
        {
            var exception = KeeperException.Create(failed.Error.Code, list[failed.Index].Item1.Path, $"operation {failed.Index} of the multi failed; nothing was applied");
            exception.MultiResults = results;
            throw exception;
        }

        return results;
    }

    /// <summary>
    /// Sends many reads (<see cref="Op.GetData"/>, <see cref="Op.GetChildren"/>) in one request (ZooKeeper 3.6+
    /// multiRead), so that reading many nodes costs the server one request instead of one per node. Unlike
    /// <see cref="MultiAsync"/> it is not a transaction: each read succeeds or fails on its own, and all of them see the
    /// same point of the server's history.
    /// </summary>
    /// <returns>One result per operation, in order: <see cref="GetDataResult"/>, <see cref="GetChildrenResult"/>, or
    /// <see cref="ErrorResult"/> (e.g. <see cref="KeeperErrorCode.NoNode"/> for a node that does not exist).</returns>
    /// <exception cref="ArgumentException">An operation is not a read, or a path is invalid.</exception>
    /// <exception cref="UnimplementedException">The server is older than 3.6.</exception>
    /// <exception cref="ConnectionLossException">The connection was lost before the reply.</exception>
    /// <remarks>The whole reply must fit in the server's <c>jute.maxbuffer</c> (1 MiB by default): batch accordingly.</remarks>
    public async Task<IReadOnlyList<OpResult>> MultiReadAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = new List<(Op, string)>();
        foreach (var op in ops)
        {
            ArgumentNullException.ThrowIfNull(op, nameof(ops));
            if (!op.IsRead)
            {
                throw new ArgumentException($"{op.GetType().Name} on {op.Path} is a write: writes go in {nameof(MultiAsync)}", nameof(ops));
            }

            ZooKeeperPath.Validate(op.Path, nameof(ops));
            list.Add((op, ToServer(op.Path)));
        }

        if (list.Count == 0)
        {
            return [];
        }

        var response = await SendAsync<MultiRequest, MultiResponse>(new(list, OpCode.MultiRead), null, null, cancellationToken, readBodyOnError: true).ConfigureAwait(false);
        return response.Results;
    }

    /// <summary>The node's ACL and Stat.</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    public async Task<AclResult> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var response = await SendAsync<PathRequest, GetAclResponse>(new(OpCode.GetAcl, ToServer(path)), path, null, cancellationToken).ConfigureAwait(false);
        return new AclResult(response.Acl, response.Stat);
    }

    /// <summary>Replaces the node's ACL if its ACL version matches (-1 matches any).</summary>
    /// <exception cref="NoNodeException">The node does not exist.</exception>
    /// <exception cref="BadVersionException">The ACL version does not match.</exception>
    /// <exception cref="NoAuthException">The current ACL forbids changing it.</exception>
    /// <exception cref="InvalidAclException">The ACL is invalid.</exception>
    public async Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, nameof(path));
        var response = await SendAsync<SetAclRequest, StatResponse>(new(ToServer(path), ValidateAcl(acl), version), path, null, cancellationToken).ConfigureAwait(false);
        return response.Stat;
    }

    /// <summary>
    /// Adds a credential to the session, e.g. scheme <c>digest</c> with <c>user:password</c> as UTF-8. It is kept and
    /// re-sent on every reconnect. When not connected, it is sent with the next connection and the call returns at once.
    /// </summary>
    /// <exception cref="AuthFailedException">The server rejected the credential; the session is over (state AuthFailed).</exception>
    public async Task AddAuthAsync(string scheme, byte[] auth, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(auth);
        lock (_authInfo)
        {
            _authInfo.Add((scheme, auth.ToArray()));
        }

        var connection = _connection;
        if (connection is null)
        {
            return;
        }

        try
        {
            await SendAsync<AuthRequest, EmptyResponse>(new(scheme, auth), null, null, cancellationToken, xid: Xids.Auth).ConfigureAwait(false);
        }
        catch (AuthFailedException)
        {
            OnAuthFailed();
            throw;
        }
        catch (ConnectionLossException)
        {
            // Kept in the credential list: the next connection sends it.
        }
    }

    private static IReadOnlyList<Acl> ValidateAcl(IReadOnlyList<Acl>? acl)
    {
        if (acl is null)
        {
            return Acl.OpenUnsafe;
        }

        if (acl.Count == 0)
        {
            throw new ArgumentException("an ACL needs at least one entry", nameof(acl));
        }

        return acl;
    }

    private string ToServer(string clientPath) => ZooKeeperPath.ToServer(Chroot, clientPath);

    private string ToClient(string serverPath) => ZooKeeperPath.ToClient(Chroot, serverPath) ?? serverPath;

    /// <summary>Sends a request on the current connection; fails fast when there is none (no unbounded queue while disconnected).</summary>
    private Task<TResponse> SendAsync<TRequest, TResponse>(
        TRequest request,
        string? path,
        WatchRegistration? watch,
        CancellationToken cancellationToken,
        bool readBodyOnError = false,
        int xid = 0)
        where TRequest : IJuteRequest
        where TResponse : IJuteResponse<TResponse>
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<TResponse>(cancellationToken);
        }

        // An ended session (expired, credential rejected, closed) sends nothing more, even on a connection that is
        // still open: the request fails with the reason the session ended.
        var pending = new PendingRequest<TRequest, TResponse>(request, readBodyOnError) { Path = path, Watch = watch, Xid = xid };
        var connection = _connection;
        if (connection is null || IsTerminal(State) || !connection.TryEnqueue(pending))
        {
            return Task.FromException<TResponse>(NotConnected(path));
        }

        pending.RegisterCancellation(cancellationToken);
        return pending.Task;
    }

    private Exception NotConnected(string? path) => State switch
    {
        SessionState.Expired => new SessionExpiredException(path, $"session 0x{SessionId:x} has expired"),
        SessionState.AuthFailed => new AuthFailedException(path),
        SessionState.Closed => new ObjectDisposedException(nameof(ZooKeeperClient), "the client is closed"),
        _ => new ConnectionLossException(path, "not connected; the client is reconnecting"),
    };
}
