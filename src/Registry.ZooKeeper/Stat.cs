using Registry.ZooKeeper.Jute;

namespace Registry.ZooKeeper;

/// <summary>The metadata ZooKeeper keeps for a node.</summary>
/// <param name="Czxid">The zxid of the change that created the node.</param>
/// <param name="Mzxid">The zxid of the change that last modified the node's data.</param>
/// <param name="Ctime">Creation time, milliseconds since the Unix epoch.</param>
/// <param name="Mtime">Last modification time, milliseconds since the Unix epoch.</param>
/// <param name="Version">The number of changes to the node's data.</param>
/// <param name="Cversion">The number of changes to the node's children.</param>
/// <param name="Aversion">The number of changes to the node's ACL.</param>
/// <param name="EphemeralOwner">The session id owning an ephemeral node; 0 for every other node (the server hides the markers of container and TTL nodes).</param>
/// <param name="DataLength">The length of the node's data.</param>
/// <param name="NumChildren">The number of children.</param>
/// <param name="Pzxid">The zxid of the change that last modified the node's children.</param>
public sealed record Stat(
    long Czxid,
    long Mzxid,
    long Ctime,
    long Mtime,
    int Version,
    int Cversion,
    int Aversion,
    long EphemeralOwner,
    int DataLength,
    int NumChildren,
    long Pzxid)
{
    /// <summary>True when the node is ephemeral, owned by the session <see cref="EphemeralOwner"/>.</summary>
    public bool IsEphemeral => EphemeralOwner != 0;

    internal static Stat Read(ref JuteReader reader) => new(
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt64(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt64(),
        reader.ReadInt32(),
        reader.ReadInt32(),
        reader.ReadInt64());

    internal void Write(JuteWriter writer)
    {
        writer.WriteInt64(Czxid);
        writer.WriteInt64(Mzxid);
        writer.WriteInt64(Ctime);
        writer.WriteInt64(Mtime);
        writer.WriteInt32(Version);
        writer.WriteInt32(Cversion);
        writer.WriteInt32(Aversion);
        writer.WriteInt64(EphemeralOwner);
        writer.WriteInt32(DataLength);
        writer.WriteInt32(NumChildren);
        writer.WriteInt64(Pzxid);
    }
}
