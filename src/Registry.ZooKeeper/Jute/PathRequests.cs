using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>exists, getData, getChildren and getChildren2 share this body: a path and whether to set a watch.</summary>
internal readonly record struct PathWatchRequest(OpCode OpCode, string Path, bool Watch) : IJuteRequest
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBoolean(Watch);
    }
}

/// <summary>sync and getACL send just a path.</summary>
internal readonly record struct PathRequest(OpCode OpCode, string Path) : IJuteRequest
{
    public void Write(JuteWriter writer) => writer.WriteString(Path);
}

/// <summary>The reply to sync: the path synced.</summary>
internal readonly record struct PathResponse(string Path) : IJuteResponse<PathResponse>
{
    public static PathResponse Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));
}

/// <summary>The reply to exists, setData and setACL: a Stat.</summary>
internal readonly record struct StatResponse(Stat Stat) : IJuteResponse<StatResponse>
{
    public static StatResponse Read(ref JuteReader reader) => new(Stat.Read(ref reader));
}

/// <summary>delete: a path and the expected version (-1 for any).</summary>
internal readonly record struct DeleteRequest(string Path, int Version) : IJuteRequest
{
    public OpCode OpCode => OpCode.Delete;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt32(Version);
    }
}

/// <summary>check (inside multi only): a path and the version it must have.</summary>
internal readonly record struct CheckVersionRequest(string Path, int Version) : IJuteRequest
{
    public OpCode OpCode => OpCode.Check;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteInt32(Version);
    }
}
