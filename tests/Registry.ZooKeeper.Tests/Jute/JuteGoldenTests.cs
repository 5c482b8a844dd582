using System.Text;
using Registry.ZooKeeper.Jute;
using Registry.ZooKeeper.Protocol;

namespace Registry.ZooKeeper.Tests.Jute;

/// <summary>Every record the client writes or reads, against the bytes the official Java classes produce.</summary>
public class JuteGoldenTests
{
    private static readonly byte[] Password = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("héllo");
    private static readonly Stat Stat = new(0x100000001L, 0x100000002L, 1700000000000L, 1700000000500L, 3, 4, 5, 0x72ab0001L, 6, 7, 0x100000003L);
    private static readonly Acl[] Acls = [new(Permissions.All, "world", "anyone"), new(Permissions.Read, "digest", "u:h=")];

    public static TheoryData<string, string> Requests() => new()
    {
        { "RequestHeader", Hex(w => new RequestHeader(7, OpCode.GetData).Write(w)) },
        { "ReplyHeader", Hex(w => new ReplyHeader(7, 0x100000005L, KeeperErrorCode.NoNode).Write(w)) },
        { "Stat", Hex(Stat.Write) },
        { "CreateRequest", Hex(w => new CreateRequest(OpCode.Create, "/a/b", Data, Acls, (int)CreateMode.EphemeralSequential).Write(w)) },
        { "CreateTTLRequest", Hex(w => new CreateTtlRequest("/t", Data, Acls, (int)CreateMode.PersistentWithTtl, 60000).Write(w)) },
        { "Create2Response", Hex(w => new Create2Response("/a/b0000000001", Stat).Write(w)) },
        { "DeleteRequest", Hex(w => new DeleteRequest("/a", 3).Write(w)) },
        { "ExistsRequest", Hex(w => new PathWatchRequest(OpCode.Exists, "/a", true).Write(w)) },
        { "GetDataRequest", Hex(w => new PathWatchRequest(OpCode.GetData, "/a", false).Write(w)) },
        { "GetDataResponse", Hex(w => new GetDataResponse(Data, Stat).Write(w)) },
        { "SetDataRequest", Hex(w => new SetDataRequest("/a", Data, -1).Write(w)) },
        { "SetDataResponse", Hex(Stat.Write) },
        { "GetChildren2Request", Hex(w => new PathWatchRequest(OpCode.GetChildren2, "/a", true).Write(w)) },
        { "GetChildren2Response", Hex(w => new GetChildren2Response(["x", "yz"], Stat).Write(w)) },
        { "SyncRequest", Hex(w => new PathRequest(OpCode.Sync, "/a").Write(w)) },
        { "GetACLRequest", Hex(w => new PathRequest(OpCode.GetAcl, "/a").Write(w)) },
        { "SetACLRequest", Hex(w => new SetAclRequest("/a", Acls, 2).Write(w)) },
        { "CheckVersionRequest", Hex(w => new CheckVersionRequest("/a", 9).Write(w)) },
        { "AuthPacket", Hex(w => new AuthRequest("digest", Encoding.UTF8.GetBytes("u:p")).Write(w)) },
        { "SetWatches2", Hex(w => new SetWatches2Request(0x100000009L, ["/d"], ["/e1", "/e2"], [], ["/p"], ["/r"]).Write(w)) },
        { "AddWatchRequest", Hex(w => new AddWatchRequest("/r", AddWatchMode.PersistentRecursive).Write(w)) },
        { "RemoveWatchesRequest", Hex(w => new RemoveWatchesRequest(OpCode.RemoveWatches, "/a", WatcherType.Data).Write(w)) },
        { "WatcherEvent", Hex(w => new WatcherEvent(4, 3, "/a").Write(w)) },
        {
            "MultiOperationRecord", Hex(w => new MultiRequest(
            [
                (Op.Create("/m", Data, CreateMode.Persistent, Acls), "/m"),
                (Op.Delete("/n", 1), "/n"),
                (Op.SetData("/o", Data, 2), "/o"),
                (Op.Check("/p", 3), "/p"),
            ]).Write(w))
        },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Encoding_matches_the_Java_client(string record, string actualHex)
    {
        var expected = typeof(GoldenBytes).GetField(record)!.GetValue(null) as string;
        var golden = expected!;

        // Java's multi uses op code create for a persistent node; this client uses create2 to get the Stat back.
        if (record == "MultiOperationRecord")
        {
            golden = "0000000f" + golden[8..];
        }

        Assert.Equal(golden, actualHex);
    }

    [Theory]
    [InlineData(false, "00")]
    [InlineData(true, "01")]
    public void Connect_request_is_the_Java_record_followed_by_the_read_only_flag(bool readOnly, string flag)
    {
        var hex = Hex(w => new ConnectRequest(0, 0x1234, 10000, 0x72ab0001, Password, readOnly).Write(w));
        Assert.Equal(GoldenBytes.ConnectRequest + flag, hex);
    }

    [Fact]
    public void Connect_response_reads_with_and_without_the_read_only_flag()
    {
        var withoutFlag = Read(GoldenBytes.ConnectResponse, ConnectResponse.Read);
        Assert.Equal(4000, withoutFlag.TimeoutMs);
        Assert.Equal(0x72ab0001L, withoutFlag.SessionId);
        Assert.Equal(Password, withoutFlag.Password);
        Assert.False(withoutFlag.ReadOnly);

        var withFlag = Read(GoldenBytes.ConnectResponse + "01", ConnectResponse.Read);
        Assert.True(withFlag.ReadOnly);
    }

    [Fact]
    public void Replies_decode_to_the_values_Java_encoded()
    {
        var header = Read(GoldenBytes.ReplyHeader, ReplyHeader.Read);
        Assert.Equal(new ReplyHeader(7, 0x100000005L, KeeperErrorCode.NoNode), header);

        Assert.Equal(Stat, Read(GoldenBytes.Stat, Stat.Read));
        Assert.Equal("/a/b0000000001", Read(GoldenBytes.CreateResponse, CreateResponse.Read).Path);

        var create2 = Read(GoldenBytes.Create2Response, Create2Response.Read);
        Assert.Equal(("/a/b0000000001", Stat), (create2.Path, create2.Stat));

        var data = Read(GoldenBytes.GetDataResponse, GetDataResponse.Read);
        Assert.Equal(Data, data.Data);
        Assert.Equal(Stat, data.Stat);

        Assert.Equal(Stat, Read(GoldenBytes.SetDataResponse, StatResponse.Read).Stat);

        var children = Read(GoldenBytes.GetChildren2Response, GetChildren2Response.Read);
        Assert.Equal(["x", "yz"], children.Children);

        Assert.Equal("/a", Read(GoldenBytes.SyncResponse, PathResponse.Read).Path);

        var acl = Read(GoldenBytes.GetACLResponse, GetAclResponse.Read);
        Assert.Equal(Acls, acl.Acl);
        Assert.Equal(Stat, acl.Stat);

        var watcherEvent = Read(GoldenBytes.WatcherEvent, WatcherEvent.Read);
        Assert.Equal(new WatcherEvent((int)WatchEventType.NodeChildrenChanged, 3, "/a"), watcherEvent);
    }

    [Fact]
    public void Multi_responses_decode_per_operation()
    {
        var ok = Read(GoldenBytes.MultiResponseOk, MultiResponse.Read).Results;
        Assert.Collection(
            ok,
            r => Assert.Equal(new CreateResult("/m", null), r),
            r => Assert.IsType<DeleteResult>(r),
            r => Assert.Equal(new SetDataResult(Stat), r),
            r => Assert.IsType<CheckResult>(r));

        var failed = Read(GoldenBytes.MultiResponseFailed, MultiResponse.Read).Results;
        Assert.Equal(
            [new ErrorResult(KeeperErrorCode.Ok), new ErrorResult(KeeperErrorCode.NodeExists), new ErrorResult(KeeperErrorCode.RuntimeInconsistency)],
            failed);
    }

    [Fact]
    public void Null_buffers_and_strings_read_as_the_protocol_means_them()
    {
        // getData of a node created with null data: buffer length -1.
        var response = Read("ffffffff" + GoldenBytes.Stat, GetDataResponse.Read);
        Assert.Empty(response.Data);

        var reader = new JuteReader(Convert.FromHexString("ffffffff"));
        Assert.Null(reader.ReadString());
    }

    private delegate T ReadFunc<T>(ref JuteReader reader);

    private static T Read<T>(string hex, ReadFunc<T> read)
    {
        var bytes = Convert.FromHexString(hex);
        var reader = new JuteReader(bytes);
        var value = read(ref reader);
        Assert.Equal(0, reader.Remaining);
        return value;
    }

    private static string Hex(Action<JuteWriter> write)
    {
        var writer = new JuteWriter(16);
        write(writer);
        return Convert.ToHexString(writer.WrittenSpan).ToLowerInvariant();
    }
}
