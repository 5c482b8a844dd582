namespace Registry.Server.Dns.Transfer;

/// <summary>
/// Coalesces NOTIFYs (issue 4 §2): at most one per zone per interval. A zone whose serial changes is announced at
/// once if its last NOTIFY is an interval old, else when the interval is over, with the serial current then, so a
/// burst of changes costs one NOTIFY at each end. Pure: the caller passes the time.
/// </summary>
internal sealed class NotifySchedule(TimeSpan interval)
{
    private readonly Dictionary<string, (uint Serial, DateTimeOffset At)> _sent = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, uint> _known = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records the serials of a published snapshot; the first call only learns them (nothing to announce at start).</summary>
    public void Observe(IEnumerable<(string Origin, uint Serial)> serials, DateTimeOffset now)
    {
        foreach (var (origin, serial) in serials)
        {
            if (!_known.ContainsKey(origin))
            {
                // Secondaries learn a zone's serial at their own start; a new zone, or this server's start, is not a change.
                _sent[origin] = (serial, now - interval);
            }

            _known[origin] = serial;
        }
    }

    /// <summary>The zones to NOTIFY now (with their serial), marked sent; and when to ask again, if some must wait.</summary>
    public (List<(string Origin, uint Serial)> Due, DateTimeOffset? Next) Take(DateTimeOffset now)
    {
        var due = new List<(string, uint)>();
        DateTimeOffset? next = null;
        foreach (var (origin, serial) in _known)
        {
            var sent = _sent[origin];
            if (sent.Serial == serial)
            {
                continue;
            }

            var allowed = sent.At + interval;
            if (allowed <= now)
            {
                due.Add((origin, serial));
            }
            else if (next is null || allowed < next)
            {
                next = allowed;
            }
        }

        foreach (var (origin, serial) in due)
        {
            _sent[origin] = (serial, now);
        }

        return (due, next);
    }
}
