package dev.tessera.cluster;

import dev.tessera.testing.BusCut;
import dev.tessera.testing.CuttableLink;
import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Partitions on three real clustered nodes (issue 15 item 6), each cut made so the test can undo it:
 * node 1's event bus is cut by dropping every Tessera message it sends or receives (it stays a Hazelcast
 * member and keeps reaching PostgreSQL); node 2 reaches PostgreSQL only through a relay the test cuts.
 */
@ExtendWith(VertxExtension.class)
class PartitionTest {
  private static final Logger log = LoggerFactory.getLogger(PartitionTest.class);
  private static final Duration CATCH_UP = Duration.ofMillis(500);
  private static final Duration STALENESS = Duration.ofSeconds(2);
  private static TestCluster cluster;
  private static CuttableLink node2Database;
  private static final List<TestClient> http = new ArrayList<>();
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("TESSERA_CATCHUP_INTERVAL", CATCH_UP.toString(),
        "TESSERA_STALENESS_BOUND", STALENESS.toString(), "TESSERA_REVOCATION_ACK_TIMEOUT", "PT1S"), (index, db) -> {
          if (index != 2) {
            return Map.of();
          }
          node2Database = CuttableLink.toDatabase(vertx, db);
          return Map.of("TESSERA_DB_URL", node2Database.url(db));
        });
    cluster.nodes().forEach(node -> http.add(new TestClient(vertx, node.port())));
    admin = http.get(0).adminToken();
    http.get(0).createPublicClient(admin, "mobile", "read");
    gatewaySecret = http.get(0).createResourceServer(admin, "gateway", "read").getString("client_secret");
    http.get(0).createUser(admin, "lee@example.com", "user-password", "read");
  }

  @AfterAll
  static void stop() {
    http.forEach(TestClient::close);
    cluster.close();
    node2Database.close();
  }

  @Test
  void aNodeCutOffFromTheEventBusConvergesThroughTheLogReportsItsClusterCheckDownAndHeals() {
    for (int node = 0; node < 3; node++) {
      int n = node;
      Eventually.within(Duration.ofSeconds(20), () -> clusterCheck(n).equals("UP"), "cluster check up on node " + n);
    }
    String token = login("before the bus cut");
    warmEverywhere(token);
    double lateBefore = ackTimeouts(0);

    AtomicBoolean cut = BusCut.all(cluster.node(1).tessera().vertx().eventBus());
    try {
      Eventually.within(Duration.ofSeconds(10), () -> clusterCheck(1).equals("DOWN"), "cut node reports cluster down");
      assertThat(clusterCheck(0)).as("nodes that still hear each other").isEqualTo("UP");
      assertThat(clusterCheck(2)).isEqualTo("UP");

      assertThat(http.get(0).postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile")).statusCode())
          .isEqualTo(200);
      long revoked = System.nanoTime();
      assertThat(active(2, token)).as("acknowledged by the node still on the bus").isFalse();
      Eventually.within(Duration.ofSeconds(5), () -> !active(1, token), "cut node converges through the log");
      log.info("node cut off from the event bus converged {} ms after the revocation answered (catch-up interval {})",
          (System.nanoTime() - revoked) / 1_000_000, CATCH_UP);
      assertThat(ackTimeouts(0)).as("the cut node counted as late").isEqualTo(lateBefore + 1);
      // Still reaching PostgreSQL, it stays fresh and keeps serving live tokens.
      assertThat(active(1, login("during the bus cut"))).isTrue();
    } finally {
      cut.set(false);
    }

    Eventually.within(Duration.ofSeconds(10), () -> clusterCheck(1).equals("UP"), "cluster check up again after the cut");
    String after = login("after the bus cut");
    warmEverywhere(after);
    JsonObject propagation = http.get(0).json("POST", "/admin/api/users/" + userId() + "/revoke-all", null, admin)
        .bodyAsJsonObject().getJsonObject("propagation");
    assertThat(propagation.getInteger("acked")).as("acknowledgements resumed: %s", propagation).isEqualTo(3);
    for (int node = 0; node < 3; node++) {
      assertThat(active(node, after)).isFalse();
    }
  }

  @Test
  void aNodeCutOffFromTheDatabaseFailsClosedWithinTheStalenessBoundWhileTheOthersServeAndHeals() {
    String token = login("before the database cut");
    warmEverywhere(token);

    node2Database.cut();
    try {
      long cutAt = System.nanoTime();
      Eventually.within(Duration.ofSeconds(10), () -> verify(2, token) == 503, "cut node fails closed");
      log.info("node cut off from PostgreSQL failed closed {} ms after the cut (staleness bound {})",
          (System.nanoTime() - cutAt) / 1_000_000, STALENESS);
      assertThat(http.get(2).get("/health/ready", null).statusCode()).isEqualTo(503);
      assertThat(verify(0, token)).as("the others still reach the database").isEqualTo(200);
      assertThat(verify(1, token)).isEqualTo(200);
    } finally {
      node2Database.heal();
    }

    Eventually.within(Duration.ofSeconds(20), () -> verify(2, token) == 200, "cut node answers again");
    Eventually.within(Duration.ofSeconds(20), () -> http.get(2).get("/health/ready", null).statusCode() == 200,
        "cut node ready again");
  }

  private static String clusterCheck(int node) {
    JsonObject body = http.get(node).get("/health/ready", null).bodyAsJsonObject();
    return body.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals("cluster")).findFirst().map(c -> c.getString("status")).orElse("MISSING");
  }

  private static String login(String device) {
    return http.get(0).login("mobile", "lee@example.com", "user-password", device).getString("access_token");
  }

  private static String userId() {
    return http.get(0).json("GET", "/admin/api/users?q=lee@example.com", null, admin)
        .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id");
  }

  private static void warmEverywhere(String token) {
    for (int node = 0; node < 3; node++) {
      assertThat(active(node, token)).as("token active on node %d first", node).isTrue();
    }
  }

  private static double ackTimeouts(int node) {
    return http.get(node).metric("tessera_revocation_ack_timeouts_total");
  }

  private static boolean active(int node, String token) {
    return http.get(node).introspect("gateway", gatewaySecret, token).getBoolean("active");
  }

  private static int verify(int node, String token) {
    return http.get(node).get("/auth/verify", TestClient.bearer(token)).statusCode();
  }
}
