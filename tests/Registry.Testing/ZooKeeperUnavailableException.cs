namespace Registry.Testing;

/// <summary>
/// Thrown when this machine has no way to run a real ZooKeeper: neither Java plus a ZooKeeper jar nor a Docker engine.
/// The message says what to install or which environment variable to set.
/// </summary>
public sealed class ZooKeeperUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ZooKeeperUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message that tells the reader how to fix the machine.</summary>
    public ZooKeeperUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public ZooKeeperUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
