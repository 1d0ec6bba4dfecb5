package dev.tessera.cluster;

import dev.tessera.testing.BusCut;
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
 * on another node within seconds can only have been evicted by the event-bus broadcast. Every revocation
 * path answers only after every live node acknowledged, so right after the answer no node says "active"
 * (the acknowledgement timeout is generous here: this machine is busy, and a late node is its own test).
 */
@ExtendWith(VertxExtension.class)
class RevocationBroadcastTest {
  private static TestCluster cluster;
  private static final List<TestClient> http = new ArrayList<>();
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("TESSERA_CATCHUP_INTERVAL", "PT30S", "TESSERA_STALENESS_BOUND", "PT60S",
        "TESSERA_REVOCATION_ACK_TIMEOUT", "PT3S"));
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
  void aClientsLogoutHasReachedEveryNodeWhenItAnswers() {
    for (int origin = 0; origin < 3; origin++) {
      String user = newUser("broadcast");
      String token = http.get(origin).login("mobile", user, "user-password", "Pixel 8").getString("access_token");
      warmEverywhere(token);

      var revoked = http.get(origin).postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile"));
      assertThat(revoked.statusCode()).isEqualTo(200);

      // No waiting: the 200 came only after every node confirmed the eviction.
      for (int node = 0; node < 3; node++) {
        assertThat(active(node, token)).as("revoked on node %d, asked node %d", origin, node).isFalse();
      }
    }
  }

  @Test
  void aReusedRefreshTokenHasRevokedItsSessionOnEveryNodeWhenTheRefusalAnswers() {
    String user = newUser("reuse");
    JsonObject tokens = http.get(0).login("mobile", user, "user-password", "Pixel 8");
    var rotated = http.get(1).postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "mobile",
        "refresh_token", tokens.getString("refresh_token")));
    assertThat(rotated.statusCode()).isEqualTo(200);
    String access = rotated.bodyAsJsonObject().getString("access_token");
    warmEverywhere(access);

    var replay = http.get(2).postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "mobile",
        "refresh_token", tokens.getString("refresh_token")));
    assertThat(replay.statusCode()).isEqualTo(400);

    for (int node = 0; node < 3; node++) {
      assertThat(active(node, access)).as("token on node %d", node).isFalse();
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
    assertThat(body.getJsonObject("propagation").getJsonArray("missing")).isEmpty();

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
      assertThat(tokens.stream().filter(t -> active(n, t)).count()).as("tokens active on node %d", node).isZero();
    }
  }

  @Test
  void aNodeThatMissesTheBroadcastIsNamedInTheAnswerCountedAndAudited() {
    String user = newUser("unacked");
    String token = http.get(0).login("mobile", user, "user-password", "Lost phone").getString("access_token");
    warmEverywhere(token);
    String deaf = cluster.node(2).tessera().nodeId().orElseThrow();
    double timeoutsBefore = ackTimeouts(0);
    AtomicBoolean dropping = BusCut.deafToRevocations(cluster.node(2).tessera().vertx().eventBus());
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
      assertThat(ackTimeouts(0)).isEqualTo(timeoutsBefore + 1);
      Eventually.within(Duration.ofSeconds(5), () -> http.get(0).json("GET", "/admin/api/audit", null, admin)
          .bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast)
          .anyMatch(e -> e.getString("event").equals("revocation_ack_timeout")
              && e.getJsonObject("detail").getJsonArray("missing").contains(deaf)),
          "revocation_ack_timeout audit event naming the late node");
    } finally {
      dropping.set(false);
    }
  }

  private static double ackTimeouts(int node) {
    return http.get(node).metric("tessera_revocation_ack_timeouts_total");
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
