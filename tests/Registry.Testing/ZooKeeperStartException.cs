namespace Registry.Testing;

/// <summary>
/// Thrown when a ZooKeeper server or ensemble did not come up in time or exited while starting.
/// The message ends with the tail of the server's log, which is usually where the cause is.
/// </summary>
public sealed class ZooKeeperStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ZooKeeperStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public ZooKeeperStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when the failure looks like a lost race for a port that was free when it was picked;
    /// starting again on fresh ports is then expected to work.
    /// </summary>
    internal bool IsPortConflict { get; init; }
}
