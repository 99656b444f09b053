/*
 * The benchmark's writer on ZooKeeper's own Java client (the one Kafka, HBase and Solr use): the same
 * steady stream of creates as test/support/writer.ts, driven by test/support/java-writer.ts.
 *
 *   java -cp <zookeeper client jars> ZkWriter <connectString> <root> <pauseMs> <sessionTimeoutMs>
 *
 * stdout carries the protocol only, one line each, flushed: `ready`, then `ack <name> <epochMillis>`
 * or `fail <code>` per create, and `done` after a `stop` line or the end of stdin (exit 0). Anything
 * else (client logging, errors) goes to stderr: System.out is pointed at stderr before the client
 * loads, so a log backend writing to the console cannot mix into the protocol.
 */
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public final class ZkWriter {
    private static final PrintStream OUT = new PrintStream(System.out, false, StandardCharsets.US_ASCII);
    private static final CountDownLatch STOP = new CountDownLatch(1);

    private static void say(String line) {
        OUT.println(line);
        OUT.flush();
    }

    public static void main(String[] args) {
        System.setOut(System.err);
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: ZkWriter <connectString> <root> <pauseMs> <sessionTimeoutMs>");
            System.exit(2);
        }
        String connect = args[0];
        String root = args[1];
        long pauseMs = Long.parseLong(args[2]);
        int sessionTimeoutMs = Integer.parseInt(args[3]);

        Thread stdin = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("stop")) { }
            } catch (Exception e) {
                // stdin unreadable: stop as if it closed
            }
            STOP.countDown();
        }, "stdin");
        stdin.setDaemon(true);
        stdin.start();

        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(connect, sessionTimeoutMs, (event) -> {
            if (event.getType() == Watcher.Event.EventType.None && event.getState() == Watcher.Event.KeeperState.SyncConnected) connected.countDown();
        });
        long deadline = System.currentTimeMillis() + 30_000;
        if (!connected.await(30, TimeUnit.SECONDS)) {
            System.err.println("ZkWriter: not connected to " + connect + " within 30 s");
            close(zk);
            System.exit(1);
        }
        createRoot(zk, root, deadline);
        say("ready");

        for (long seq = 0; STOP.getCount() > 0; seq++) {
            String name = String.format("w-%07d", seq);
            try {
                zk.create(root + "/" + name, Long.toString(System.currentTimeMillis()).getBytes(StandardCharsets.US_ASCII), ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                say("ack " + name + " " + System.currentTimeMillis());
            } catch (KeeperException e) {
                say("fail " + e.code());
                if (STOP.await(50, TimeUnit.MILLISECONDS)) break;
                // What an application does when its session expired: a new one (Curator does the same).
                if (e.code() == KeeperException.Code.SESSIONEXPIRED) {
                    close(zk);
                    zk = new ZooKeeper(connect, sessionTimeoutMs, (event) -> { });
                    say("expired");
                }
            }
            STOP.await(pauseMs, TimeUnit.MILLISECONDS);
        }
        close(zk);
        say("done");
        System.exit(0);
    }

    /** The root and its parents, persistent; one that exists is fine. Connection losses are retried until the deadline. */
    private static void createRoot(ZooKeeper zk, String root, long deadline) throws Exception {
        String prefix = "";
        for (String part : root.split("/")) {
            if (part.isEmpty()) continue;
            prefix += "/" + part;
            while (true) {
                try {
                    zk.create(prefix, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
                    break;
                } catch (KeeperException.NodeExistsException e) {
                    break;
                } catch (KeeperException.ConnectionLossException e) {
                    if (System.currentTimeMillis() > deadline) {
                        System.err.println("ZkWriter: could not create " + prefix + ": " + e.getMessage());
                        close(zk);
                        System.exit(1);
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /** Closes the session, waiting at most 3 s (a client cut off from every server must not hold up the exit). */
    private static void close(ZooKeeper zk) {
        Thread t = new Thread(() -> {
            try {
                zk.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "close");
        t.setDaemon(true);
        t.start();
        try {
            t.join(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
