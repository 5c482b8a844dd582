using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Jute;

/// <summary>
/// multi and multiRead: each operation is a MultiHeader (type, done=false, err=-1) followed by its body; a header with
/// type -1 and done=true ends the list. The reply has the same shape with one result per operation.
/// </summary>
internal sealed record MultiRequest(IReadOnlyList<(Op Op, string ServerPath)> Ops, OpCode OpCode = OpCode.Multi) : IJuteRequest
{
    public void Write(JuteWriter writer)
    {
        foreach (var (op, serverPath) in Ops)
        {
            WriteHeader(writer, (int)op.OpCode, done: false, err: -1);
            op.WriteBody(writer, serverPath);
        }

        WriteHeader(writer, -1, done: true, err: -1);
    }

    private static void WriteHeader(JuteWriter writer, int type, bool done, int err)
    {
        writer.WriteInt32(type);
        writer.WriteBoolean(done);
        writer.WriteInt32(err);
    }
}

/// <summary>The results of a multi, in the order of its operations; paths are as the server sent them.</summary>
internal readonly record struct MultiResponse(List<OpResult> Results) : IJuteResponse<MultiResponse>
{
    public static MultiResponse Read(ref JuteReader reader)
    {
        var results = new List<OpResult>();
        while (true)
        {
            var type = reader.ReadInt32();
            var done = reader.ReadBoolean();
            var err = reader.ReadInt32();
            if (done)
            {
                return new MultiResponse(results);
            }

            results.Add((OpCode)type switch
            {
                OpCode.Create => new CreateResult(reader.ReadRequiredString("path"), null),
                OpCode.Create2 or OpCode.CreateContainer or OpCode.CreateTtl => ReadCreate2(ref reader),
                OpCode.Delete => new DeleteResult(),
                OpCode.SetData => new SetDataResult(Stat.Read(ref reader)),
                OpCode.Check => new CheckResult(),
                OpCode.GetData => new GetDataResult(reader.ReadBuffer() ?? [], Stat.Read(ref reader)),
                OpCode.GetChildren => new GetChildrenResult(reader.ReadStringVector("children")),
                OpCode.Error => new ErrorResult((KeeperErrorCode)reader.ReadInt32()),
                _ => throw new JuteException($"multi result has unknown type {type} (err {err})"),
            });
        }
    }

    private static CreateResult ReadCreate2(ref JuteReader reader)
    {
        var response = Create2Response.Read(ref reader);
        return new CreateResult(response.Path, response.Stat);
    }
}
