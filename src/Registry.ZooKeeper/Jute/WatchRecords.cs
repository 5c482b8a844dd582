using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>A notification's body (after a reply header with xid -1).</summary>
internal readonly record struct WatcherEvent(int Type, int State, string Path)
{
    public static WatcherEvent Read(ref JuteReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt32(), reader.ReadString() ?? string.Empty);

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(Type);
        writer.WriteInt32(State);
        writer.WriteString(Path);
    }
}

/// <summary>addWatch: a path and the mode (0 persistent, 1 persistent recursive).</summary>
internal readonly record struct AddWatchRequest(string Path, AddWatchMode Mode) : IJuteRequest
{
    public OpCode OpCode => OpCode.AddWatch;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt32((int)Mode);
    }
}

/// <summary>removeWatches / checkWatches: a path and the watcher type.</summary>
internal readonly record struct RemoveWatchesRequest(OpCode OpCode, string Path, WatcherType Type) : IJuteRequest
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt32((int)Type);
    }
}

/// <summary>setWatches2 (sent with xid -8 after a reconnect): every watch the client holds, to be re-armed relative to a zxid.</summary>
internal sealed record SetWatches2Request(
    long RelativeZxid,
    List<string> DataWatches,
    List<string> ExistWatches,
    List<string> ChildWatches,
    List<string> PersistentWatches,
    List<string> PersistentRecursiveWatches) : IJuteRequest
{
    public OpCode OpCode => OpCode.SetWatches2;

    /// <summary>The list that carries watches of <paramref name="kind"/>.</summary>
    public List<string> ListFor(Internal.WatchKind kind) => kind switch
    {
        Internal.WatchKind.Data => DataWatches,
        Internal.WatchKind.Exist => ExistWatches,
        Internal.WatchKind.Child => ChildWatches,
        Internal.WatchKind.Persistent => PersistentWatches,
        _ => PersistentRecursiveWatches,
    };

    public void Write(JuteWriter writer)
    {
        writer.WriteInt64(RelativeZxid);
        writer.WriteStringVector(DataWatches);
        writer.WriteStringVector(ExistWatches);
        writer.WriteStringVector(ChildWatches);
        writer.WriteStringVector(PersistentWatches);
        writer.WriteStringVector(PersistentRecursiveWatches);
    }
}
