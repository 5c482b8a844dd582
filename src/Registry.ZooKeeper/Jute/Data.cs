using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>The reply to getData: the data (null reads as empty) and the Stat.</summary>
internal readonly record struct GetDataResponse(byte[] Data, Stat Stat) : IJuteResponse<GetDataResponse>
{
    public static GetDataResponse Read(ref JuteReader reader) => new(reader.ReadBuffer() ?? [], Stat.Read(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteBuffer(Data);
        Stat.Write(writer);
    }
}

/// <summary>setData: path, data and the expected version (-1 for any).</summary>
internal readonly record struct SetDataRequest(string Path, ReadOnlyMemory<byte> Data, int Version) : IJuteRequest
{
    public OpCode OpCode => OpCode.SetData;

    public void Write(JuteWriter writer)
    {
        writer.WriteString(Path);
        writer.WriteBuffer(Data.Span);
        writer.WriteInt32(Version);
    }
}
