namespace Registry.ZooKeeper;

/// <summary>
/// Receives watch notifications. Callbacks run one at a time, in the order the server sent the events,
/// on the client's event dispatcher: a slow callback delays later events but never the connection.
/// </summary>
public interface IWatcher
{
    /// <summary>Handles one event; exceptions are logged and do not stop later events.</summary>
    ValueTask ProcessAsync(WatchedEvent watchedEvent);
}
