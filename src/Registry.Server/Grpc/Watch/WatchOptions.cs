namespace Registry.Server.Grpc.Watch;

/// <summary>How Watch streams behave (<c>--watch-heartbeat</c>, <c>--watch-history</c>, <c>--watch-buffer</c>).</summary>
internal sealed record WatchOptions
{
    /// <summary>A stream with nothing to send for this long sends a heartbeat.</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many publications the hub retains for streams resuming from a revision.</summary>
    public int History { get; init; } = 1000;

    /// <summary>How many publications a stream may have waiting before it counts as fallen behind.</summary>
    public int Buffer { get; init; } = 64;
}
