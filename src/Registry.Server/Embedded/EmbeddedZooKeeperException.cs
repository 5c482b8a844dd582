namespace Registry.Server.Embedded;

/// <summary>The embedded ZooKeeper could not start; the message says why and what to do.</summary>
public sealed class EmbeddedZooKeeperException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EmbeddedZooKeeperException()
    {
    }

    /// <summary>Creates the exception with a message for the operator.</summary>
    public EmbeddedZooKeeperException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message for the operator and its cause.</summary>
    public EmbeddedZooKeeperException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
