namespace Registry.ZooKeeper.Jute;

/// <summary>A frame or record that does not decode: the connection that produced it cannot be trusted any more.</summary>
internal sealed class JuteException(string message) : Exception(message);
