namespace Registry.Server.Dns.Transport;

/// <summary>
/// Lets one log line through per interval: an error that repeats per packet (a hostile sender, a full socket buffer)
/// must not turn the log into the bottleneck. What is not logged is still counted.
/// </summary>
internal sealed class LogThrottle(TimeSpan interval)
{
    private long _next;

    /// <summary>True at most once per interval, whichever thread asks.</summary>
    public bool Allow()
    {
        var now = Environment.TickCount64;
        var next = Volatile.Read(ref _next);
        return now >= next && Interlocked.CompareExchange(ref _next, now + (long)interval.TotalMilliseconds, next) == next;
    }
}
