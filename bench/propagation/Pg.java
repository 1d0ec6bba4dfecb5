// Starts an embedded PostgreSQL (io.zonky, shipped in tessera.jar) on a chosen port and keeps it running
// until the JVM is told to stop (SIGTERM / SIGINT run the shutdown hook that stops PostgreSQL).
//
//   java -cp target/tessera.jar bench/propagation/Pg.java PORT DATA_DIR
//
// Prints "PG READY <port>" on stdout once connections are accepted.
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

public class Pg {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: Pg PORT DATA_DIR");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Path data = Path.of(args[1]).toAbsolutePath();
    Files.createDirectories(data);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setPort(port)
        .setDataDirectory(data)
        .setCleanDataDirectory(true)
        .setRegisterShutdownHook(false)
        // Room for 3 nodes x pool + Flyway + slack.
        .setServerConfig("max_connections", "200")
        .start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        pg.close();
      } catch (Exception e) {
        System.err.println("PG stop failed: " + e);
      }
      stopped.countDown();
    }, "pg-stop"));
    System.out.println("PG READY " + pg.getPort());
    System.out.flush();
    stopped.await();
  }
}
