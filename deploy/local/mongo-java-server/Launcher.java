import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs mongo-java-server for deploy/local/stack.py (KINERJA_MONGO_SERVER=mongo-java-server).
 *
 * Usage: java -cp 'lib/*:classes' Launcher --host 127.0.0.1 --port N --backend memory|h2 [--h2-file PATH]
 *
 * mongo-java-server 1.47.0's newest built-in ServerVersion (MONGO_5_0) reports wire version 8;
 * PyMongo 4.18+ needs 9 or more. The backend accepts any MongoVersion, so this one reports
 * MongoDB 4.4.0 and wire version 9, as a real MongoDB 4.4 does.
 */
public final class Launcher {

    enum CompatVersion implements MongoVersion {
        MONGO_4_4;

        @Override
        public List<Integer> getVersionArray() {
            return List.of(4, 4, 0);
        }

        @Override
        public int getWireVersion() {
            return 9;
        }
    }

    private static void usage(String message) {
        System.err.println("error: " + message);
        System.err.println("usage: Launcher --host HOST --port PORT --backend memory|h2 [--h2-file PATH]");
        System.exit(2);
    }

    public static void main(String[] args) throws Exception {
        String host = "127.0.0.1";
        int port = -1;
        String backendName = "memory";
        String h2File = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--host": host = value; break;
                case "--port": port = Integer.parseInt(value); break;
                case "--backend": backendName = value; break;
                case "--h2-file": h2File = value; break;
                default: usage("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || port < 0 || port > 65535) {
            usage("--port PORT is required, and every option takes a value");
        }
        MongoBackend backend;
        if (backendName.equals("memory")) {
            backend = new MemoryBackend();
        } else if (backendName.equals("h2") && h2File != null) {
            backend = new H2Backend(h2File); // an MVStore file: the data survives a restart
        } else {
            usage("--backend is memory, or h2 with --h2-file PATH");
            return;
        }
        backend.version(CompatVersion.MONGO_4_4);

        MongoServer server = new MongoServer(backend);
        try {
            server.bind(host, port);
        } catch (Exception e) { // Netty throws BindException undeclared; its threads would keep the JVM alive
            System.err.println("mongo-java-server failed to bind " + host + ":" + port + ": " + e);
            server.shutdownNow();
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.shutdownNow(); // closes the backend too: H2 flushes its store
                System.out.println("mongo-java-server stopped");
            } finally {
                stopped.countDown();
            }
        }, "shutdown"));
        System.out.println("mongo-java-server listening on " + host + ":" + port);
        System.out.flush();
        stopped.await();
    }
}
