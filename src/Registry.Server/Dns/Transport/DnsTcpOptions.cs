namespace Registry.Server.Dns.Transport;

/// <summary>The TCP side's limits (RFC 7766 §6.2): <c>--dns-tcp-idle-timeout</c> and <c>--dns-tcp-max-connections</c>.</summary>
internal sealed record DnsTcpOptions
{
    /// <summary>
    /// How long a connection may send nothing before it is closed, and how long one answer may take to be written
    /// before the connection is closed as not reading (RFC 7766 §6.2.3: seconds, not minutes).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections served at once; more are closed as soon as they are accepted.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>
    /// Answers queued for one connection before its reading waits for its writing: pipelining clients get their
    /// answers in bursts, and a client that does not read holds at most this many buffers until the write times out.
    /// </summary>
    public int MaxPendingWrites { get; init; } = 64;
}
