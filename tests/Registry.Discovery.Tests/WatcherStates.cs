using Registry.Core.View;

namespace Registry.Discovery.Tests;

/// <summary>Waiting on a watcher's published states with a deadline, and a one-line-per-service rendering to compare them.</summary>
internal static class WatcherStates
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Returns once a published state (or, at the deadline, the current one) meets <paramref name="condition"/>; fails with the state otherwise.</summary>
    public static async Task UntilAsync(RegistrationWatcher watcher, Func<RegistrationState, bool> condition, string description)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await foreach (var state in watcher.WatchAsync(deadline.Token))
            {
                if (condition(state))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        // The stale flag changes without a new state: look once more at the current one.
        Assert.True(condition(watcher.Current), $"timed out waiting for: {description}; state: {string.Join(" | ", Render(watcher.Current))}");
    }

    /// <summary>"service: id id ..." per service, both sorted.</summary>
    public static List<string> Render(RegistrationState state) =>
        [.. state.Services.OrderBy(s => s.Key.Value, StringComparer.Ordinal).Select(s => $"{s.Key.Value}: {string.Join(' ', s.Value.Select(i => i.Id).Order(StringComparer.Ordinal))}")];
}
