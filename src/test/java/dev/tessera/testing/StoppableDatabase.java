package dev.tessera.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A PostgreSQL of the test's own that the test can stop and start again on the same port and data. */
public final class StoppableDatabase implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres running;

  public StoppableDatabase(Path dataDir) {
    this.dataDir = dataDir;
    this.port = TestNode.freePort();
    start();
  }

  public void start() {
    try {
      running = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void stop() {
    try {
      running.close();
      running = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "postgresql://postgres@localhost:" + port + "/postgres";
  }

  @Override
  public void close() {
    if (running != null) {
      stop();
    }
  }
}
