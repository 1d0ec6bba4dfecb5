package dev.tessera.cluster;

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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three real clustered nodes whose catch-up poll is slowed to 30 s: a cached token that turns inactive
 * on another node within seconds can only have been evicted by the event-bus broadcast.
 */
@ExtendWith(VertxExtension.class)
class RevocationBroadcastTest {
  private static final Duration BROADCAST_BOUND = Duration.ofSeconds(5);
  private static TestCluster cluster;
  private static final List<TestClient> http = new ArrayList<>();
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("TESSERA_CATCHUP_INTERVAL", "PT30S", "TESSERA_STALENESS_BOUND", "PT60S"));
    cluster.nodes().forEach(node -> http.add(new TestClient(vertx, node.port())));
    String admin = http.get(0).adminToken();
    http.get(0).createPublicClient(admin, "mobile", "read");
    gatewaySecret = http.get(0).createResourceServer(admin, "gateway", "read").getString("client_secret");
  }

  @AfterAll
  static void stop() {
    http.forEach(TestClient::close);
    cluster.close();
  }

  @Test
  void clusterHasThreeMembersOnEveryNode() {
    for (TestClient node : http) {
      String metrics = node.get("/metrics", null).bodyAsString();
      assertThat(metrics).contains("tessera_cluster_members 3.0");
    }
  }

  @Test
  void revokedOnOneNodeIsInactiveOnEveryNodeWithWarmCaches() {
    String user = newUser("broadcast");
    String token = http.get(0).login("mobile", user, "user-password", "Pixel 8").getString("access_token");
    warmEverywhere(token);

    var revoked = http.get(0).postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile"));
    assertThat(revoked.statusCode()).isEqualTo(200);

    assertThat(active(0, token)).isFalse();
    for (int i = 1; i < 3; i++) {
      int node = i;
      Eventually.within(BROADCAST_BOUND, () -> !active(node, token), "token inactive on node " + node);
    }
  }

  @Test
  void revokeAllForAUserWithManySessionsReachesEveryNodeAndIsAcknowledged() {
    String user = newUser("many");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      tokens.add(http.get(i % 3).login("mobile", user, "user-password", "device " + i).getString("access_token"));
    }
    tokens.forEach(RevocationBroadcastTest::warmEverywhere);
    String userId = userId(user);

    var response = http.get(1).json("POST", "/admin/api/users/" + userId + "/revoke-all", null, http.get(1).adminToken());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getInteger("revoked")).isEqualTo(40);
    assertThat(body.getJsonObject("propagation").getInteger("nodes")).isEqualTo(3);
    assertThat(body.getJsonObject("propagation").getInteger("acked")).isEqualTo(3);

    for (int node = 0; node < 3; node++) {
      for (String token : tokens) {
        assertThat(active(node, token)).as("token on node %d", node).isFalse();
      }
    }
  }

  @Test
  void concurrentRevocationsFromSeveralNodesLoseNothing() {
    String user = newUser("concurrent");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      tokens.add(http.get(0).login("mobile", user, "user-password", "device " + i).getString("access_token"));
    }
    tokens.forEach(RevocationBroadcastTest::warmEverywhere);

    List<CompletableFuture<Integer>> revocations = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      TestClient via = http.get(i % 3);
      String token = tokens.get(i);
      revocations.add(CompletableFuture.supplyAsync(() ->
          via.postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile")).statusCode()));
    }
    revocations.forEach(r -> assertThat(r.join()).isEqualTo(200));

    for (int node = 0; node < 3; node++) {
      int n = node;
      Eventually.within(BROADCAST_BOUND, () -> tokens.stream().noneMatch(t -> active(n, t)),
          "all 30 tokens inactive on node " + node);
    }
  }

  @Test
  void aNodeThatMissesTheBroadcastIsNamedInTheAdminAnswerAndAuditLog() {
    String user = newUser("unacked");
    String token = http.get(0).login("mobile", user, "user-password", "Lost phone").getString("access_token");
    warmEverywhere(token);
    String deaf = cluster.node(2).tessera().nodeId().orElseThrow();
    AtomicBoolean dropping = new AtomicBoolean(true);
    cluster.node(2).tessera().vertx().eventBus().addInboundInterceptor(delivery -> {
      if (dropping.get() && delivery.message().address().equals("tessera.revocations")) {
        return;
      }
      delivery.next();
    });
    try {
      String admin = http.get(0).adminToken();
      String sessionId = http.get(0).json("GET", "/admin/api/users/" + userId(user) + "/sessions", null, admin)
          .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id");

      var response = http.get(0).json("DELETE", "/admin/api/sessions/" + sessionId, null, admin);

      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject propagation = response.bodyAsJsonObject().getJsonObject("propagation");
      assertThat(propagation.getInteger("nodes")).isEqualTo(3);
      assertThat(propagation.getInteger("acked")).isEqualTo(2);
      assertThat(propagation.getJsonArray("missing").getList()).containsExactly(deaf);
      assertThat(active(1, token)).isFalse();
      // The deaf node still answers from its warm cache: exactly what catch-up exists for (see RevocationCatchUpTest).
      assertThat(active(2, token)).isTrue();
      Eventually.within(Duration.ofSeconds(5), () -> http.get(0).json("GET", "/admin/api/audit?username=" + user, null, admin)
          .bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
          .anyMatch(e -> e.getString("event").equals("session_revoked")
              && e.getJsonObject("detail").getJsonObject("propagation").getJsonArray("missing").contains(deaf)),
          "audit event naming the node that did not acknowledge");
    } finally {
      dropping.set(false);
    }
  }

  private static String newUser(String prefix) {
    String username = prefix + "-" + System.nanoTime() + "@example.com";
    http.get(0).createUser(http.get(0).adminToken(), username, "user-password", "read");
    return username;
  }

  private static String userId(String username) {
    return http.get(0).json("GET", "/admin/api/users?q=" + username, null, http.get(0).adminToken())
        .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id");
  }

  private static void warmEverywhere(String token) {
    for (int node = 0; node < 3; node++) {
      assertThat(active(node, token)).as("token active on node %d before revocation", node).isTrue();
    }
  }

  private static boolean active(int node, String token) {
    return http.get(node).introspect("gateway", gatewaySecret, token).getBoolean("active");
  }
}
