// Prints the jute encoding of each record the client uses, made by the official Java classes
// (zookeeper-jute 3.8). Its output is pasted into GoldenBytes.cs; regenerate with:
//   javac -d /tmp/golden -cp /usr/share/java/zookeeper.jar GoldenBytes.java
//   java -cp /tmp/golden:/usr/share/java/zookeeper.jar GoldenBytes
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.MultiOperationRecord;
import org.apache.zookeeper.MultiResponse;
import org.apache.zookeeper.Op;
import org.apache.zookeeper.OpResult;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.proto.*;

public class GoldenBytes {
    static void print(String name, Record record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        record.serialize(BinaryOutputArchive.getArchive(out), "");
        StringBuilder hex = new StringBuilder();
        for (byte b : out.toByteArray()) hex.append(String.format("%02x", b));
        System.out.println(name + " " + hex);
    }

    public static void main(String[] args) throws Exception {
        byte[] password = new byte[16];
        for (int i = 0; i < 16; i++) password[i] = (byte) (i + 1);
        Stat stat = new Stat(0x100000001L, 0x100000002L, 1700000000000L, 1700000000500L, 3, 4, 5, 0x72ab0001L, 6, 7, 0x100000003L);
        List<ACL> acl = Arrays.asList(new ACL(ZooDefs.Perms.ALL, new Id("world", "anyone")), new ACL(ZooDefs.Perms.READ, new Id("digest", "u:h=")));
        byte[] data = "héllo".getBytes("UTF-8");

        print("ConnectRequest", new ConnectRequest(0, 0x1234L, 10000, 0x72ab0001L, password));
        print("ConnectResponse", new ConnectResponse(0, 4000, 0x72ab0001L, password));
        print("RequestHeader", new RequestHeader(7, ZooDefs.OpCode.getData));
        print("ReplyHeader", new ReplyHeader(7, 0x100000005L, -101));
        print("Stat", stat);
        print("CreateRequest", new CreateRequest("/a/b", data, acl, CreateMode.EPHEMERAL_SEQUENTIAL.toFlag()));
        print("CreateTTLRequest", new CreateTTLRequest("/t", data, acl, CreateMode.PERSISTENT_WITH_TTL.toFlag(), 60000L));
        print("CreateResponse", new CreateResponse("/a/b0000000001"));
        print("Create2Response", new Create2Response("/a/b0000000001", stat));
        print("DeleteRequest", new DeleteRequest("/a", 3));
        print("ExistsRequest", new ExistsRequest("/a", true));
        print("GetDataRequest", new GetDataRequest("/a", false));
        print("GetDataResponse", new GetDataResponse(data, stat));
        print("SetDataRequest", new SetDataRequest("/a", data, -1));
        print("SetDataResponse", new SetDataResponse(stat));
        print("GetChildren2Request", new GetChildren2Request("/a", true));
        print("GetChildren2Response", new GetChildren2Response(Arrays.asList("x", "yz"), stat));
        print("SyncRequest", new SyncRequest("/a"));
        print("SyncResponse", new SyncResponse("/a"));
        print("GetACLRequest", new GetACLRequest("/a"));
        print("GetACLResponse", new GetACLResponse(acl, stat));
        print("SetACLRequest", new SetACLRequest("/a", acl, 2));
        print("CheckVersionRequest", new CheckVersionRequest("/a", 9));
        print("AuthPacket", new AuthPacket(0, "digest", "u:p".getBytes("UTF-8")));
        print("SetWatches2", new SetWatches2(0x100000009L, Arrays.asList("/d"), Arrays.asList("/e1", "/e2"), Arrays.asList(), Arrays.asList("/p"), Arrays.asList("/r")));
        print("AddWatchRequest", new AddWatchRequest("/r", 1));
        print("RemoveWatchesRequest", new RemoveWatchesRequest("/a", 2));
        print("WatcherEvent", new WatcherEvent(4, 3, "/a"));
        print("MultiOperationRecord", new MultiOperationRecord(Arrays.asList(
            Op.create("/m", data, acl, CreateMode.PERSISTENT),
            Op.delete("/n", 1),
            Op.setData("/o", data, 2),
            Op.check("/p", 3))));
        MultiResponse ok = new MultiResponse();
        ok.add(new OpResult.CreateResult("/m"));
        ok.add(new OpResult.DeleteResult());
        ok.add(new OpResult.SetDataResult(stat));
        ok.add(new OpResult.CheckResult());
        print("MultiResponseOk", ok);
        MultiResponse failed = new MultiResponse();
        failed.add(new OpResult.ErrorResult(0));
        failed.add(new OpResult.ErrorResult(-110));
        failed.add(new OpResult.ErrorResult(-2));
        print("MultiResponseFailed", failed);
    }
}
