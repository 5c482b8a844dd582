namespace Registry.ZooKeeper;

/// <summary>
/// An error reported by ZooKeeper, or by this client on its behalf (<see cref="ConnectionLossException"/>).
/// Every error code has its own subtype; <see cref="Create"/> is the one table that maps them.
/// </summary>
public class KeeperException : Exception
{
    /// <summary>Creates an exception for <paramref name="code"/>.</summary>
    public KeeperException(KeeperErrorCode code, string? path, string? message = null, Exception? innerException = null)
        : base(FormatMessage(code, path, message), innerException)
    {
        Code = code;
        Path = path;
    }

    /// <summary>The error code.</summary>
    public KeeperErrorCode Code { get; }

    /// <summary>The path of the failed operation, when there is one.</summary>
    public string? Path { get; }

    /// <summary>
    /// True when the same request may succeed if retried after the client reconnects (the session is still alive).
    /// For writes, the outcome of the failed attempt is unknown: make retries idempotent (versions, or check the node's owner).
    /// </summary>
    public bool IsRetryable => Code is KeeperErrorCode.ConnectionLoss
        or KeeperErrorCode.OperationTimeout
        or KeeperErrorCode.SessionMoved
        or KeeperErrorCode.RequestTimeout
        or KeeperErrorCode.Throttled;

    /// <summary>True when the session is gone for good: a new client (and session) is needed.</summary>
    public bool IsSessionFatal => Code is KeeperErrorCode.SessionExpired or KeeperErrorCode.AuthFailed;

    /// <summary>For a failed multi: every operation's result, the failing one carrying its error.</summary>
    public IReadOnlyList<OpResult>? MultiResults { get; internal set; }

    /// <summary>Maps an error code to its exception type.</summary>
    public static KeeperException Create(KeeperErrorCode code, string? path = null, string? message = null) => code switch
    {
        KeeperErrorCode.SystemError => new SystemErrorException(path, message),
        KeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path, message),
        KeeperErrorCode.DataInconsistency => new DataInconsistencyException(path, message),
        KeeperErrorCode.ConnectionLoss => new ConnectionLossException(path, message),
        KeeperErrorCode.MarshallingError => new MarshallingErrorException(path, message),
        KeeperErrorCode.Unimplemented => new UnimplementedException(path, message),
        KeeperErrorCode.OperationTimeout => new OperationTimeoutException(path, message),
        KeeperErrorCode.BadArguments => new BadArgumentsException(path, message),
        KeeperErrorCode.UnknownSession => new UnknownSessionException(path, message),
        KeeperErrorCode.NewConfigNoQuorum => new NewConfigNoQuorumException(path, message),
        KeeperErrorCode.ReconfigInProgress => new ReconfigInProgressException(path, message),
        KeeperErrorCode.ApiError => new ApiErrorException(path, message),
        KeeperErrorCode.NoNode => new NoNodeException(path, message),
        KeeperErrorCode.NoAuth => new NoAuthException(path, message),
        KeeperErrorCode.BadVersion => new BadVersionException(path, message),
        KeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, message),
        KeeperErrorCode.NodeExists => new NodeExistsException(path, message),
        KeeperErrorCode.NotEmpty => new NotEmptyException(path, message),
        KeeperErrorCode.SessionExpired => new SessionExpiredException(path, message),
        KeeperErrorCode.InvalidCallback => new InvalidCallbackException(path, message),
        KeeperErrorCode.InvalidAcl => new InvalidAclException(path, message),
        KeeperErrorCode.AuthFailed => new AuthFailedException(path, message),
        KeeperErrorCode.SessionMoved => new SessionMovedException(path, message),
        KeeperErrorCode.NotReadOnly => new NotReadOnlyException(path, message),
        KeeperErrorCode.EphemeralOnLocalSession => new EphemeralOnLocalSessionException(path, message),
        KeeperErrorCode.NoWatcher => new NoWatcherException(path, message),
        KeeperErrorCode.RequestTimeout => new RequestTimeoutException(path, message),
        KeeperErrorCode.ReconfigDisabled => new ReconfigDisabledException(path, message),
        KeeperErrorCode.SessionClosedRequireSaslAuth => new SessionClosedRequireSaslAuthException(path, message),
        KeeperErrorCode.QuotaExceeded => new QuotaExceededException(path, message),
        KeeperErrorCode.Throttled => new ThrottledException(path, message),
        _ => new KeeperException(code, path, message),
    };

    private static string FormatMessage(KeeperErrorCode code, string? path, string? message)
    {
        var text = Enum.IsDefined(code) ? code.ToString() : $"error {(int)code}";
        if (path is not null)
        {
            text += $" for {path}";
        }

        return message is null ? text : $"{text}: {message}";
    }
}
