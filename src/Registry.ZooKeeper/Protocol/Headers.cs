using Registry.ZooKeeper.Jute;

namespace Registry.ZooKeeper.Protocol;

/// <summary>Prefixes every request after the handshake.</summary>
internal readonly record struct RequestHeader(int Xid, OpCode Type)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(Xid);
        writer.WriteInt32((int)Type);
    }
}

/// <summary>Prefixes every frame the server sends after the handshake: replies, pings and notifications.</summary>
internal readonly record struct ReplyHeader(int Xid, long Zxid, KeeperErrorCode Err)
{
    public const int Size = 16;

    public static ReplyHeader Read(ref JuteReader reader) =>
        new(reader.ReadInt32(), reader.ReadInt64(), (KeeperErrorCode)reader.ReadInt32());

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(Xid);
        writer.WriteInt64(Zxid);
        writer.WriteInt32((int)Err);
    }
}
