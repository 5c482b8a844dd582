namespace Registry.ZooKeeper.Jute;

/// <summary>The reply to getChildren2: the children's names and the parent's Stat.</summary>
internal readonly record struct GetChildren2Response(List<string> Children, Stat Stat) : IJuteResponse<GetChildren2Response>
{
    public static GetChildren2Response Read(ref JuteReader reader) =>
        new(reader.ReadStringVector("children"), Stat.Read(ref reader));

    public void Write(JuteWriter writer)
    {
        writer.WriteStringVector(Children);
        Stat.Write(writer);
    }
}
