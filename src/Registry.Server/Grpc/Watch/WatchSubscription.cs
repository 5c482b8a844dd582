using System.Threading.Channels;

namespace Registry.Server.Grpc.Watch;

/// <summary>
/// One Watch stream's place in the hub: a bounded queue of publications (shared objects, so a slot costs a
/// reference) and a flag set when the queue overflowed. The hub never blocks on a stream and never queues more than
/// the bound; a stream that finds the flag set replaces what it missed with a fresh snapshot.
/// </summary>
internal sealed class WatchSubscription
{
    private readonly Channel<Publication> _queue;
    private volatile bool _overflowed;

    public WatchSubscription(int capacity) =>
        _queue = Channel.CreateBounded<Publication>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<Publication> Reader => _queue.Reader;

    /// <summary>True once a publication did not fit; cleared by <see cref="WatchHub.Resync"/>.</summary>
    public bool Overflowed => _overflowed;

    /// <summary>Queues a publication (hub lock held); marks the stream fallen behind when it does not fit.</summary>
    internal void Offer(Publication publication)
    {
        if (!_overflowed && !_queue.Writer.TryWrite(publication))
        {
            _overflowed = true;
        }
    }

    /// <summary>Drops whatever is queued and clears the flag (hub lock held).</summary>
    internal void Reset()
    {
        while (_queue.Reader.TryRead(out _))
        {
        }

        _overflowed = false;
    }
}
