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
    private ViewSnapshot? _initial;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The serials at start are what secondaries can already have; taken here, not in ExecuteAsync, which runs on
        // another thread and could see a change published meanwhile as the starting point and never announce it.
        _initial = view.Current;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Notify.Count == 0)
        {
            return;
        }

        var schedule = new NotifySchedule(options.NotifyInterval);
        var seen = _initial ?? view.Current;
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
                using (var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    // Until the view changes, or until the next coalesced NOTIFY is due.
                    if (next is { } at)
                    {
                        var wait = at - timeProvider.GetUtcNow();
                        wake.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                    }

                    try
                    {
                        await view.ChangedAsync(seen, wake.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
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
        if (DnsNames.TryCreate(origin) is not { } name || responder.IndexOf(snapshot).FindZone(name) is not { } zone || !zone.Origin.Equals(name))
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
