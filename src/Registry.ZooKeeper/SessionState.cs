namespace Registry.ZooKeeper;

/// <summary>
/// The state of the client's session, as an application should reason about it. Socket-level churn is hidden:
/// a lost connection is <see cref="Suspended"/> (the session may still be alive on the ensemble) until the
/// client reconnects (<see cref="Connected"/>) or the ensemble says the session is gone (<see cref="Expired"/>).
/// </summary>
public enum SessionState
{
    /// <summary>The first connection has not been made yet.</summary>
    Connecting,
    /// <summary>Connected; requests are served.</summary>
    Connected,
    /// <summary>Connected to a read-only server (only when read-only mode was allowed).</summary>
    ConnectedReadOnly,
    /// <summary>The connection was lost; the client is reconnecting with the same session. Requests fail fast with ConnectionLoss.</summary>
    Suspended,
    /// <summary>The ensemble expired the session: its ephemeral nodes and watches are gone. Terminal: open a new client.</summary>
    Expired,
    /// <summary>Authentication failed. Terminal.</summary>
    AuthFailed,
    /// <summary>Closed by the application. Terminal.</summary>
    Closed,
}
