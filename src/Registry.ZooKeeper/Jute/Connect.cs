namespace Registry.ZooKeeper.Jute;

/// <summary>The first frame a client sends; it has no request header.</summary>
internal readonly record struct ConnectRequest(int ProtocolVersion, long LastZxidSeen, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(ProtocolVersion);
        writer.WriteInt64(LastZxidSeen);
        writer.WriteInt32(TimeoutMs);
        writer.WriteInt64(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBoolean(ReadOnly);
    }
}

/// <summary>The server's answer to <see cref="ConnectRequest"/>; a timeout of 0 or less means the session expired.</summary>
internal readonly record struct ConnectResponse(int ProtocolVersion, int TimeoutMs, long SessionId, byte[] Password, bool ReadOnly)
{
    public static ConnectResponse Read(ref JuteReader reader)
    {
        var version = reader.ReadInt32();
        var timeout = reader.ReadInt32();
        var sessionId = reader.ReadInt64();
        var password = reader.ReadBuffer() ?? [];

        // Servers before 3.4 do not send the read-only flag.
        var readOnly = reader.Remaining > 0 && reader.ReadBoolean();
        return new ConnectResponse(version, timeout, sessionId, password, readOnly);
    }

    public void Write(JuteWriter writer)
    {
        writer.WriteInt32(ProtocolVersion);
        writer.WriteInt32(TimeoutMs);
        writer.WriteInt64(SessionId);
        writer.WriteBuffer(Password);
        writer.WriteBoolean(ReadOnly);
    }
}
