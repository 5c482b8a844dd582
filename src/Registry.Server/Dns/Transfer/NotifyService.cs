using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Registry.Core.View;
using Registry.Server.Configuration;
using Registry.Server.Views;

namespace Registry.Server.Dns.Transfer;

/// <summary>
/// NOTIFY on change (RFC 1996, DESIGN §7): follows the <see cref="LiveView"/>, and when a zone's published serial
/// changes tells every <c>--dns-notify</c> secondary, at most once per zone per <c>--dns-notify-interval</c>
/// (<see cref="NotifySchedule"/>). Sends run in the background so one silent secondary delays no other.
/// </summary>
internal sealed class NotifyService(LiveView view, DnsResponder responder, ServerOptions options, TimeProvider timeProvider, ILogger<NotifyService> logger) : BackgroundService
{
    private readonly NotifySender _sender = new(timeProvider, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Notify.Count == 0)
        {
            return;
        }

        var schedule = new NotifySchedule(options.NotifyInterval);
        var seen = view.Current;
        schedule.Observe(SerialsOf(seen), timeProvider.GetUtcNow());
        var sends = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var (due, next) = schedule.Take(timeProvider.GetUtcNow());
                foreach (var (origin, _) in due)
                {
                    sends.Add(NotifyAsync(seen, origin, stoppingToken));
                }

                sends.RemoveAll(t => t.IsCompleted);
                var changed = view.ChangedAsync(seen, stoppingToken);
                if (next is { } at)
                {
                    var wait = at - timeProvider.GetUtcNow();
                    await Task.WhenAny(changed, Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, timeProvider, stoppingToken)).ConfigureAwait(false);
                }
                else
                {
                    await changed.ConfigureAwait(false);
                }

                seen = view.Current;
                schedule.Observe(SerialsOf(seen), timeProvider.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
    }

    private async Task NotifyAsync(ViewSnapshot snapshot, string origin, CancellationToken cancellationToken)
    {
        var zone = responder.IndexOf(snapshot).Zones.FirstOrDefault(z => string.Equals(z.Origin.ToString(), origin, StringComparison.OrdinalIgnoreCase));
        if (zone is null)
        {
            return;
        }

        await Task.WhenAll(options.Notify.Select(async target =>
        {
            var key = target.KeyName is { } name ? options.TsigKeys.FirstOrDefault(k => k.Name.Equals(name)) : null;
            try
            {
                await _sender.SendAsync(target, zone.Soa, key, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
        })).ConfigureAwait(false);
    }

    private static IEnumerable<(string, uint)> SerialsOf(ViewSnapshot snapshot) => snapshot.Origins.Select(o => (o, snapshot.Serial(o)));
}
