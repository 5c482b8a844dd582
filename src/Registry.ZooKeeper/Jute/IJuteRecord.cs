using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>A request body: knows its op code and how to write itself.</summary>
internal interface IJuteRequest
{
    OpCode OpCode { get; }

    void Write(JuteWriter writer);
}

/// <summary>A response body that reads itself from a frame.</summary>
internal interface IJuteResponse<TSelf>
    where TSelf : IJuteResponse<TSelf>
{
    static abstract TSelf Read(ref JuteReader reader);
}

/// <summary>The reply of requests whose answer is the header alone (delete, check, auth, addWatch, ...).</summary>
internal readonly struct EmptyResponse : IJuteResponse<EmptyResponse>
{
    public static EmptyResponse Read(ref JuteReader reader) => default;
}

/// <summary>A request that is the header alone (closeSession).</summary>
internal readonly record struct EmptyRequest(OpCode OpCode) : IJuteRequest
{
    public void Write(JuteWriter writer)
    {
    }
}
