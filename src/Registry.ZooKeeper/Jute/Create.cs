using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>create, create2 and createContainer share this body; the op code says which reply comes back.</summary>
internal readonly record struct CreateRequest(OpCode OpCode, string Path, ReadOnlyMemory<byte> Data, IReadOnlyList<Acl> Acl, int Flags) : IJuteRequest
{
    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data.Span);
        ZooKeeper.Acl.WriteVector(writer, Acl);
        writer.WriteInt32(Flags);
    }
}

/// <summary>createTTL: the create body followed by the TTL in milliseconds.</summary>
internal readonly record struct CreateTtlRequest(string Path, ReadOnlyMemory<byte> Data, IReadOnlyList<Acl> Acl, int Flags, long TtlMs) : IJuteRequest
{
    public OpCode OpCode => OpCode.CreateTtl;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data.Span);
        ZooKeeper.Acl.WriteVector(writer, Acl);
        writer.WriteInt32(Flags);
        writer.WriteInt64(TtlMs);
    }
}

/// <summary>Reply to create: the created path (which differs from the requested one for sequential nodes).</summary>
internal readonly record struct CreateResponse(string Path) : IJuteResponse<CreateResponse>
{
    public static CreateResponse Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"));
}

/// <summary>Reply to create2, createContainer and createTTL: the path and the new node's Stat.</summary>
internal readonly record struct Create2Response(string Path, Stat Stat) : IJuteResponse<Create2Response>
{
    public static Create2Response Read(ref JuteReader reader) => new(reader.ReadRequiredString("path"), Stat.Read(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        Stat.Write(writer);
    }
}
