using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Registry.Server.Hosting;

/// <summary>
/// What asks a reloader to re-read its files: a file watcher, SIGHUP, or a caller. Requests are coalesced: a reload
/// starts once the requests have been quiet for <see cref="Settle"/>, because editors, git and Kubernetes' volume
/// updates write one change in several steps, and a reload in the middle would read half of it.
/// </summary>
internal sealed class ReloadRequests : IDisposable
{
    /// <summary>How long requests must be quiet before a reload.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly Channel<string> _requests = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<IDisposable> _sources = [];

    /// <summary>Asks for a reload; <paramref name="reason"/> goes to the log.</summary>
    public void Request(string reason) => _requests.Writer.TryWrite(reason);

    /// <summary>Requests a reload on every change in <paramref name="directory"/> (and its subdirectories when asked).</summary>
    /// <param name="directory">The directory to watch.</param>
    /// <param name="includeSubdirectories">Whether changes below it count too.</param>
    /// <param name="relevant">Which changed paths count; all when null.</param>
    public void WatchDirectory(string directory, bool includeSubdirectories, Func<string, bool>? relevant = null)
    {
        var files = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = includeSubdirectories,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        relevant ??= _ => true;
        FileSystemEventHandler changed = (_, e) =>
        {
            if (relevant(e.FullPath))
            {
                Request($"{e.ChangeType.ToString().ToLowerInvariant()} {e.FullPath}");
            }
        };
        files.Changed += changed;
        files.Created += changed;
        files.Deleted += changed;
        files.Renamed += (_, e) =>
        {
            if (relevant(e.OldFullPath) || relevant(e.FullPath))
            {
                Request($"renamed {e.OldFullPath} to {e.FullPath}");
            }
        };
        files.Error += (_, e) => Request($"file watcher error ({e.GetException().Message})");
        files.EnableRaisingEvents = true;
        _sources.Add(files);
    }

    /// <summary>Requests a reload on SIGHUP, which then no longer terminates the process.</summary>
    public void OnHangup() =>
        _sources.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP means reload here, not terminate
            Request("SIGHUP");
        }));

    /// <summary>Waits for a request, then for <see cref="Settle"/> without another; returns the first one's reason.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<string> NextAsync(CancellationToken cancellationToken)
    {
        var reason = await _requests.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        while (await WaitForMoreAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_requests.Reader.TryRead(out _))
            {
            }
        }

        return reason;
    }

    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }

    /// <summary>True when another request arrives within <see cref="Settle"/>.</summary>
    private async Task<bool> WaitForMoreAsync(CancellationToken cancellationToken)
    {
        using var settle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        settle.CancelAfter(Settle);
        try
        {
            return await _requests.Reader.WaitToReadAsync(settle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
