package dev.tessera.testing;

import dev.tessera.Tessera;
import dev.tessera.config.TesseraConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Map;

/**
 * "A node, a client, an admin token" for one test class, instead of the same {@code @BeforeAll}/{@code @AfterAll}
 * pair in every class:
 * <pre>
 * &#64;RegisterExtension
 * static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_ACCESS_TTL", "PT2S"));
 * </pre>
 * The node starts once per class, before the class's own {@code @BeforeAll} methods (which may use
 * {@link #http()} and {@link #adminToken()} for their setup), and stops after all its tests. Everything it
 * opens lives in the class's {@link ExtensionContext.Store}, which JUnit closes even when a setup step or a test
 * fails, so no class can leak a node (and its database pool and ports) into the next one.
 * <p>
 * The client runs on a Vert.x instance of the fixture's own: vertx-junit5 only creates its instance when a
 * parameter asks for one, and the node's lifetime should not depend on which methods happen to take one.
 */
public final class NodeFixture implements BeforeAllCallback {
  private final Map<String, Object> overrides;
  private Running running;
  private String adminToken;

  private NodeFixture(Map<String, Object> overrides) {
    this.overrides = Map.copyOf(overrides);
  }

  /** A node with the shipped defaults (see {@link TestNode#start()}). */
  public static NodeFixture withDefaults() {
    return new NodeFixture(Map.of());
  }

  /** A node with these settings changed; {@code overrides} use the TESSERA_* names. */
  public static NodeFixture with(Map<String, Object> overrides) {
    return new NodeFixture(overrides);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Running started = new Running();
    // Stored before anything starts: whatever has started by the time a step fails is still closed.
    context.getStore(ExtensionContext.Namespace.create(NodeFixture.class, context.getRequiredTestClass()))
        .put(Running.class, started);
    running = started;
    adminToken = null;
    started.vertx = Vertx.vertx();
    started.node = TestNode.start(overrides);
    started.http = new TestClient(started.vertx, started.node.port());
  }

  private Running running() {
    if (running == null || running.http == null) {
      throw new IllegalStateException("NodeFixture is used before its class started it: register it with "
          + "@RegisterExtension on a static field");
    }
    return running;
  }

  public TestNode node() {
    return running().node;
  }

  public Tessera tessera() {
    return node().tessera();
  }

  public TesseraConfig config() {
    return node().config();
  }

  public int port() {
    return node().port();
  }

  public TestClient http() {
    return running().http;
  }

  /** The bootstrap admin's access token, signed in on first use and then shared by the class. */
  public String adminToken() {
    if (adminToken == null) {
      adminToken = http().adminToken();
    }
    return adminToken;
  }

  /** What one class started, closed in reverse order; each part may be missing when its start failed. */
  private static final class Running implements AutoCloseable {
    private Vertx vertx;
    private TestNode node;
    private TestClient http;

    @Override
    public void close() {
      try {
        if (http != null) {
          http.close();
        }
        if (node != null) {
          node.close();
        }
      } finally {
        if (vertx != null) {
          vertx.close().await();
        }
      }
    }
  }
}
