package dev.tessera.testing;

import dev.tessera.Tessera;
import dev.tessera.config.ConfigLoader;
import dev.tessera.config.TesseraConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/**
 * A real Tessera node for tests: the shipped defaults from {@code conf/tessera.json}, a free port, a fresh
 * database, a bootstrap admin, and cheap Argon2 parameters so sign-ins do not dominate test time.
 */
public final class TestNode implements AutoCloseable {
  public static final String ADMIN_USERNAME = "admin";
  public static final String ADMIN_PASSWORD = "admin-password-1";

  private final Tessera tessera;
  private final TesseraConfig config;

  private TestNode(Tessera tessera, TesseraConfig config) {
    this.tessera = tessera;
    this.config = config;
  }

  public static TestNode start() {
    return start(Map.of());
  }

  /** Starts a node on a fresh database; {@code overrides} use the TESSERA_* names. */
  public static TestNode start(Map<String, Object> overrides) {
    JsonObject raw = defaults()
        .put("TESSERA_HTTP_PORT", freePort())
        .put("TESSERA_HTTP_INSTANCES", 2)
        .put("TESSERA_DB_URL", TestDatabase.freshDatabaseUrl())
        .put("TESSERA_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .put("TESSERA_ARGON2_MEMORY_KIB", 256)
        .put("TESSERA_ARGON2_ITERATIONS", 1)
        .put("TESSERA_HASH_THREADS", 2);
    // Clustered test nodes hold the test cluster's keys unless the test gives them others.
    ClusterKeys.shared().overrides().forEach(raw::put);
    overrides.forEach(raw::put);
    return start(TesseraConfig.from(raw));
  }

  public static TestNode start(TesseraConfig config) {
    Tessera tessera = Tessera.start(config).await();
    return new TestNode(tessera, config);
  }

  /** The shipped defaults, exactly as a real start reads them: the ones built into the jar. */
  public static JsonObject defaults() {
    return ConfigLoader.builtIn();
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Tessera tessera() {
    return tessera;
  }

  public TesseraConfig config() {
    return config;
  }

  public int port() {
    return config.httpPort();
  }

  @Override
  public void close() {
    tessera.close().await();
  }
}
