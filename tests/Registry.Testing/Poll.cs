namespace Registry.Testing;

/// <summary>
/// Waits for a condition with a deadline, checking it at short intervals. Tests use this instead of sleeping
/// for a guessed duration: it returns as soon as the condition holds and fails with a clear message when it never does.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>Waits until <paramref name="condition"/> returns true.</summary>
    /// <param name="condition">Checked at once, then at growing intervals up to 200 ms.</param>
    /// <param name="timeout">How long to wait before failing.</param>
    /// <param name="description">What is awaited, for the failure message ("the proxy has no connections").</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>.</exception>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string description, CancellationToken cancellationToken = default) =>
        UntilAsync(_ => Task.FromResult(condition()), timeout, description, cancellationToken);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> returns true; an exception it throws counts as false.</summary>
    /// <param name="condition">Checked at once, then at growing intervals up to 200 ms; gets a token that fires at the deadline.</param>
    /// <param name="timeout">How long to wait before failing.</param>
    /// <param name="description">What is awaited, for the failure message.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>; the last exception it threw, if any, is the inner exception.</exception>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<bool>> condition,
        TimeSpan timeout,
        string description,
        CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var interval = FirstInterval;
        Exception? lastError = null;
        try
        {
            while (true)
            {
                try
                {
                    if (await condition(deadline.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !deadline.IsCancellationRequested)
                {
                    lastError = e;
                }

                await Task.Delay(interval, deadline.Token).ConfigureAwait(false);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxInterval.Ticks));
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#} s waiting until {description}", lastError);
        }
    }
}
