// The official Java ZooKeeper client under the same load as `Registry.Benchmarks zk-client`,
// so the two can be compared in one run against one server (see run.sh next to this file).
//
//   javac -d out -cp /usr/share/java/zookeeper.jar ZkClientBench.java
//   java -cp out:/usr/share/java/zookeeper.jar ZkClientBench <connectString> [ops] [inflight] [payload] [samples] [root] [warmup]
//
// Phases, each printed as one JSON line on stdout (progress goes to stderr):
//   create_pipelined   N persistent creates, at most `inflight` outstanding
//   getdata_pipelined  getData of those N nodes, same bound
//   create_latency     `samples` creates, one at a time
//   getdata_latency    `samples` getData, one at a time
// Every call goes through the async API (StringCallback / DataCallback), like the .NET side's awaits;
// the one-at-a-time phases wait for the callback on the issuing thread.

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.zookeeper.AsyncCallback;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Stat;

public final class ZkClientBench {
    private static final List<ACL> OPEN = ZooDefs.Ids.OPEN_ACL_UNSAFE;

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args[0].equals("--help") || args[0].equals("-h")) {
            System.err.println("usage: ZkClientBench <connectString> [ops=50000] [inflight=1000] [payload=200] [samples=2000] [root=/bench-java-<rand>] [warmup=5000]");
            System.exit(args.length < 1 ? 2 : 0);
        }

        String connect = args[0];
        int ops = intArg(args, 1, 50_000);
        int inflight = intArg(args, 2, 1_000);
        int payload = intArg(args, 3, 200);
        int samples = intArg(args, 4, 2_000);
        String root = args.length > 5 && !args[5].isEmpty()
            ? args[5]
            : "/bench-java-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        int warmup = intArg(args, 6, 5_000);
        int warmupSamples = Math.min(warmup, samples);

        byte[] data = new byte[payload];
        ThreadLocalRandom.current().nextBytes(data);

        ZooKeeper zk = connect(connect);
        try {
            zk.create(root, new byte[0], OPEN, CreateMode.PERSISTENT);
            progress("connected, session 0x%x, root %s", zk.getSessionId(), root);
            try {
                // Warm-up: the same code paths, unmeasured, so both runtimes reach their optimised tiers.
                pipelinedCreate(zk, names(root, "w-", warmup), data, inflight);
                pipelinedGetData(zk, names(root, "w-", warmup), payload, inflight);
                sequentialCreate(zk, names(root, "v-", warmupSamples), data);
                sequentialGetData(zk, names(root, "v-", warmupSamples), payload);
                // Let background JIT compilation finish before the clock starts.
                Thread.sleep(500);
                progress("warm-up done (%d pipelined, %d sequential)", warmup, warmupSamples);

                String[] nodes = names(root, "n-", ops);
                long elapsed = pipelinedCreate(zk, nodes, data, inflight);
                throughput("create_pipelined", ops, inflight, payload, elapsed);

                elapsed = pipelinedGetData(zk, nodes, payload, inflight);
                throughput("getdata_pipelined", ops, inflight, payload, elapsed);

                String[] sequential = names(root, "s-", samples);
                latency("create_latency", payload, sequentialCreate(zk, sequential, data));
                latency("getdata_latency", payload, sequentialGetData(zk, sequential, payload));
            } finally {
                cleanup(zk, root, ops, samples, warmup, warmupSamples, inflight);
            }
        } finally {
            zk.close();
        }
    }

    private static ZooKeeper connect(String connect) throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, 10_000, event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                connected.countDown();
            }
        });
        if (!connected.await(30, TimeUnit.SECONDS)) {
            zk.close();
            throw new IllegalStateException("no connection to " + connect + " within 30 s");
        }
        return zk;
    }

    private static long pipelinedCreate(ZooKeeper zk, String[] paths, byte[] data, int inflight) throws InterruptedException {
        Pipeline pipeline = new Pipeline(inflight, paths.length, -1, false);
        long start = System.nanoTime();
        for (String path : paths) {
            pipeline.acquire();
            zk.create(path, data, OPEN, CreateMode.PERSISTENT, pipeline, null);
        }
        pipeline.await("create");
        return System.nanoTime() - start;
    }

    private static long pipelinedGetData(ZooKeeper zk, String[] paths, int payload, int inflight) throws InterruptedException {
        Pipeline pipeline = new Pipeline(inflight, paths.length, payload, false);
        long start = System.nanoTime();
        for (String path : paths) {
            pipeline.acquire();
            zk.getData(path, false, pipeline, null);
        }
        pipeline.await("getData");
        return System.nanoTime() - start;
    }

    private static long[] sequentialCreate(ZooKeeper zk, String[] paths, byte[] data) throws InterruptedException {
        long[] nanos = new long[paths.length];
        for (int i = 0; i < paths.length; i++) {
            Pipeline one = new Pipeline(1, 1, -1, false);
            long start = System.nanoTime();
            zk.create(paths[i], data, OPEN, CreateMode.PERSISTENT, one, null);
            one.await("create");
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    private static long[] sequentialGetData(ZooKeeper zk, String[] paths, int payload) throws InterruptedException {
        long[] nanos = new long[paths.length];
        for (int i = 0; i < paths.length; i++) {
            Pipeline one = new Pipeline(1, 1, payload, false);
            long start = System.nanoTime();
            zk.getData(paths[i], false, one, null);
            one.await("getData");
            nanos[i] = System.nanoTime() - start;
        }
        return nanos;
    }

    // Unmeasured; NONODE is fine here, so a failed run still removes what it made.
    private static void cleanup(ZooKeeper zk, String root, int ops, int samples, int warmup, int warmupSamples, int inflight)
            throws InterruptedException {
        long start = System.nanoTime();
        Pipeline pipeline = new Pipeline(Math.max(1, inflight), ops + samples + warmup + warmupSamples, -1, true);
        for (String[] group : new String[][] {
                names(root, "n-", ops), names(root, "s-", samples), names(root, "w-", warmup), names(root, "v-", warmupSamples) }) {
            for (String path : group) {
                pipeline.acquire();
                zk.delete(path, -1, pipeline, null);
            }
        }
        try {
            pipeline.await("delete");
            zk.delete(root, -1);
            progress("cleaned up %s in %.2f s", root, (System.nanoTime() - start) / 1e9);
        } catch (KeeperException | IllegalStateException e) {
            progress("cleanup of %s failed: %s", root, e.getMessage());
        }
    }

    private static String[] names(String root, String prefix, int count) {
        String[] paths = new String[count];
        for (int i = 0; i < count; i++) {
            paths[i] = root + "/" + prefix + i;
        }
        return paths;
    }

    private static void throughput(String phase, int ops, int inflight, int payload, long nanos) {
        double seconds = nanos / 1e9;
        System.out.println(String.format(Locale.ROOT,
            "{\"client\":\"java\",\"phase\":\"%s\",\"ops\":%d,\"inflight\":%d,\"payload\":%d,\"seconds\":%.4f,\"ops_per_sec\":%.0f}",
            phase, ops, inflight, payload, seconds, ops / seconds));
        System.out.flush();
        progress("%s: %d ops in %.3f s", phase, ops, seconds);
    }

    private static void latency(String phase, int payload, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long n : sorted) {
            sum += n;
        }
        System.out.println(String.format(Locale.ROOT,
            "{\"client\":\"java\",\"phase\":\"%s\",\"samples\":%d,\"payload\":%d,\"mean_us\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}",
            phase, sorted.length, payload, sum / sorted.length / 1e3,
            percentile(sorted, 500), percentile(sorted, 900), percentile(sorted, 990), sorted[sorted.length - 1] / 1e3));
        System.out.flush();
        progress("%s: p50 %.1f us", phase, percentile(sorted, 500));
    }

    // Nearest rank in integer arithmetic (0.99 * 2000 is not 1980 in floating point), in microseconds;
    // the .NET side uses the same definition.
    private static double percentile(long[] sorted, int perMille) {
        long rank = ((long) perMille * sorted.length + 999) / 1000;
        return sorted[(int) Math.max(0, rank - 1)] / 1e3;
    }

    private static int intArg(String[] args, int index, int fallback) {
        return args.length > index && !args[index].isEmpty() ? Integer.parseInt(args[index]) : fallback;
    }

    private static void progress(String format, Object... args) {
        System.err.println("[java] " + String.format(Locale.ROOT, format, args));
    }

    /** Completion of a batch of async calls: one permit per outstanding request, one count per finished one. */
    private static final class Pipeline implements AsyncCallback.StringCallback, AsyncCallback.DataCallback, AsyncCallback.VoidCallback {
        private final Semaphore permits;
        private final CountDownLatch done;
        private final int expectedLength;
        private final boolean ignoreNoNode;
        private final AtomicInteger errors = new AtomicInteger();
        private volatile String firstError;

        Pipeline(int inflight, int count, int expectedLength, boolean ignoreNoNode) {
            this.permits = new Semaphore(inflight);
            this.done = new CountDownLatch(count);
            this.expectedLength = expectedLength;
            this.ignoreNoNode = ignoreNoNode;
        }

        void acquire() throws InterruptedException {
            permits.acquire();
        }

        void await(String operation) throws InterruptedException {
            done.await();
            if (errors.get() > 0) {
                throw new IllegalStateException(operation + ": " + errors.get() + " failed, first: " + firstError);
            }
        }

        @Override
        public void processResult(int rc, String path, Object ctx, String name) {
            finish(rc, path, null);
        }

        @Override
        public void processResult(int rc, String path, Object ctx, byte[] data, Stat stat) {
            String mismatch = rc == 0 && expectedLength >= 0 && (data == null ? 0 : data.length) != expectedLength
                ? "got " + (data == null ? 0 : data.length) + " bytes, expected " + expectedLength
                : null;
            finish(rc, path, mismatch);
        }

        @Override
        public void processResult(int rc, String path, Object ctx) {
            finish(rc, path, null);
        }

        private void finish(int rc, String path, String mismatch) {
            boolean failed = mismatch != null
                || (rc != KeeperException.Code.OK.intValue()
                    && !(ignoreNoNode && rc == KeeperException.Code.NONODE.intValue()));
            if (failed && errors.getAndIncrement() == 0) {
                firstError = path + ": " + (mismatch != null ? mismatch : KeeperException.Code.get(rc));
            }
            permits.release();
            done.countDown();
        }
    }
}
