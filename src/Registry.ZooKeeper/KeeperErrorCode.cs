namespace Registry.ZooKeeper;

/// <summary>Error codes carried in reply headers (KeeperException.Code in the Java client).</summary>
public enum KeeperErrorCode
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>A server-side system error.</summary>
    SystemError = -1,
    /// <summary>A runtime inconsistency; in a failed multi, marks the operations after the one that failed.</summary>
    RuntimeInconsistency = -2,
    /// <summary>A data inconsistency.</summary>
    DataInconsistency = -3,
    /// <summary>The connection was lost: the outcome of the operation is unknown.</summary>
    ConnectionLoss = -4,
    /// <summary>A request or reply could not be (de)serialized.</summary>
    MarshallingError = -5,
    /// <summary>The operation is not implemented by the server.</summary>
    Unimplemented = -6,
    /// <summary>The operation timed out.</summary>
    OperationTimeout = -7,
    /// <summary>Invalid arguments.</summary>
    BadArguments = -8,
    /// <summary>The session id is unknown to the server.</summary>
    UnknownSession = -12,
    /// <summary>No quorum of the new configuration is connected.</summary>
    NewConfigNoQuorum = -13,
    /// <summary>Another reconfiguration is in progress.</summary>
    ReconfigInProgress = -14,
    /// <summary>A generic API error.</summary>
    ApiError = -100,
    /// <summary>The node does not exist.</summary>
    NoNode = -101,
    /// <summary>Not authorized for the node.</summary>
    NoAuth = -102,
    /// <summary>The version did not match.</summary>
    BadVersion = -103,
    /// <summary>Ephemeral nodes cannot have children.</summary>
    NoChildrenForEphemerals = -108,
    /// <summary>The node already exists.</summary>
    NodeExists = -110,
    /// <summary>The node has children.</summary>
    NotEmpty = -111,
    /// <summary>The session has expired: its ephemeral nodes and watches are gone.</summary>
    SessionExpired = -112,
    /// <summary>An invalid callback was specified.</summary>
    InvalidCallback = -113,
    /// <summary>An invalid ACL was specified.</summary>
    InvalidAcl = -114,
    /// <summary>Authentication failed.</summary>
    AuthFailed = -115,
    /// <summary>The session moved to another server.</summary>
    SessionMoved = -118,
    /// <summary>A state-changing request was passed to a read-only server.</summary>
    NotReadOnly = -119,
    /// <summary>An ephemeral node cannot be created on a local session.</summary>
    EphemeralOnLocalSession = -120,
    /// <summary>No watcher matched the removal request.</summary>
    NoWatcher = -121,
    /// <summary>The request timed out on the server.</summary>
    RequestTimeout = -122,
    /// <summary>Dynamic reconfiguration is disabled.</summary>
    ReconfigDisabled = -123,
    /// <summary>The session was closed because SASL authentication is required.</summary>
    SessionClosedRequireSaslAuth = -124,
    /// <summary>A quota was exceeded.</summary>
    QuotaExceeded = -125,
    /// <summary>The server throttled the request.</summary>
    Throttled = -127,
}
