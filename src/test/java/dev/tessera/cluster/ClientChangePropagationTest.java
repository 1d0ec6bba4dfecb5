package dev.tessera.cluster;

import dev.tessera.testing.BusCut;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client changes are revocations too (issue 15 item 3), on three real clustered nodes. The catch-up poll
 * is slowed to 30 s and every assertion is made right after the change answers, well inside the client
 * cache's 10 s backstop: only the acknowledged broadcast (or a forced catch-up, where it says so) can
 * have made the change visible.
 */
@ExtendWith(VertxExtension.class)
class ClientChangePropagationTest {
  private static TestCluster cluster;
  private static final List<TestClient> http = new ArrayList<>();
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("TESSERA_CATCHUP_INTERVAL", "PT30S", "TESSERA_STALENESS_BOUND", "PT60S",
        "TESSERA_REVOCATION_ACK_TIMEOUT", "PT2S"));
    cluster.nodes().forEach(node -> http.add(new TestClient(vertx, node.port())));
    admin = http.get(0).adminToken();
    gatewaySecret = http.get(0).createResourceServer(admin, "gateway", "read").getString("client_secret");
    http.get(0).createUser(admin, "kim@example.com", "user-password", "read");
  }

  @AfterAll
  static void stop() {
    http.forEach(TestClient::close);
    cluster.close();
  }

  @Test
  void aDeletedClientIsRefusedAndItsTokensAreInactiveOnEveryNodeWhenTheDeleteAnswers() {
    http.get(0).createPublicClient(admin, "app-deleted", "read");
    List<String> tokens = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      // Signing in through every node puts the client in every node's client cache.
      tokens.add(http.get(node).login("app-deleted", "kim@example.com", "user-password", "device " + node)
          .getString("access_token"));
    }
    for (String token : tokens) {
      for (int node = 0; node < 3; node++) {
        assertThat(active(node, token)).as("token active on node %d before the delete", node).isTrue();
      }
    }

    assertThat(http.get(1).json("DELETE", "/admin/api/clients/app-deleted", null, admin).statusCode()).isEqualTo(204);

    for (int node = 0; node < 3; node++) {
      assertThat(signIn(node, "app-deleted").statusCode()).as("sign-in on node %d", node).isEqualTo(401);
      for (String token : tokens) {
        assertThat(active(node, token)).as("token on node %d", node).isFalse();
      }
    }
  }

  @Test
  void aNodeThatHadNotHeardOfTheDeletionCannotMintATokenForTheDeletedClient() {
    http.get(0).createPublicClient(admin, "app-unheard", "read");
    assertThat(signIn(2, "app-unheard").statusCode()).as("client cached on node 2").isEqualTo(200);
    AtomicBoolean deaf = deafen(2);
    try {
      assertThat(http.get(0).json("DELETE", "/admin/api/clients/app-unheard", null, admin).statusCode()).isEqualTo(204);

      // Node 2 still believes in the client (its cache), but the database refuses the session.
      var late = signIn(2, "app-unheard");
      assertThat(late.statusCode()).isEqualTo(401);
      assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
      assertThat(late.bodyAsJsonObject().containsKey("access_token")).isFalse();
    } finally {
      deaf.set(false);
    }
  }

  @Test
  void aRotatedSecretAndARemovedIntrospectRightStopWorkingOnEveryNodeWhenTheChangeAnswers() {
    String oldSecret = http.get(0).createResourceServer(admin, "rs-rotated", "read").getString("client_secret");
    String probe = userToken();
    for (int node = 0; node < 3; node++) {
      assertThat(introspectStatus(node, "rs-rotated", oldSecret, probe)).as("old secret on node %d before", node)
          .isEqualTo(200);
    }

    var rotated = http.get(1).json("PATCH", "/admin/api/clients/rs-rotated", new JsonObject().put("rotate_secret", true),
        admin);
    assertThat(rotated.statusCode()).isEqualTo(200);
    String newSecret = rotated.bodyAsJsonObject().getString("client_secret");
    assertThat(newSecret).isNotBlank().isNotEqualTo(oldSecret);
    assertThat(rotated.bodyAsJsonObject().getJsonObject("propagation").getInteger("acked")).isEqualTo(3);
    for (int node = 0; node < 3; node++) {
      assertThat(introspectStatus(node, "rs-rotated", oldSecret, probe)).as("old secret on node %d", node).isEqualTo(401);
      assertThat(introspectStatus(node, "rs-rotated", newSecret, probe)).as("new secret on node %d", node).isEqualTo(200);
    }

    var withdrawn = http.get(2).json("PATCH", "/admin/api/clients/rs-rotated", new JsonObject().put("introspect", false),
        admin);
    assertThat(withdrawn.statusCode()).isEqualTo(200);
    assertThat(withdrawn.bodyAsJsonObject().getBoolean("introspect")).isFalse();
    for (int node = 0; node < 3; node++) {
      assertThat(introspectStatus(node, "rs-rotated", newSecret, probe)).as("introspection on node %d", node)
          .isEqualTo(401);
    }
  }

  @Test
  void aNodeThatMissedTheBroadcastForgetsTheChangedClientThroughTheLog() {
    String oldSecret = http.get(0).createResourceServer(admin, "rs-missed", "read").getString("client_secret");
    String probe = userToken();
    assertThat(introspectStatus(2, "rs-missed", oldSecret, probe)).as("cached on node 2").isEqualTo(200);
    AtomicBoolean deaf = deafen(2);
    try {
      var rotated = http.get(0).json("PATCH", "/admin/api/clients/rs-missed", new JsonObject().put("rotate_secret", true),
          admin);
      assertThat(rotated.statusCode()).isEqualTo(200);
      assertThat(rotated.bodyAsJsonObject().getJsonObject("propagation").getJsonArray("missing").getList())
          .containsExactly(cluster.node(2).tessera().nodeId().orElseThrow());
      assertThat(introspectStatus(2, "rs-missed", oldSecret, probe)).as("deaf node still on the old copy").isEqualTo(200);

      cluster.node(2).tessera().follower().poll().await();

      assertThat(introspectStatus(2, "rs-missed", oldSecret, probe)).as("after one catch-up round").isEqualTo(401);
    } finally {
      deaf.set(false);
    }
  }

  private static AtomicBoolean deafen(int node) {
    return BusCut.deafToRevocations(cluster.node(node).tessera().vertx().eventBus());
  }

  private static String userToken() {
    if (http.get(0).json("GET", "/admin/api/clients/app-probe", null, admin).statusCode() == 404) {
      http.get(0).createPublicClient(admin, "app-probe", "read");
    }
    return http.get(0).login("app-probe", "kim@example.com", "user-password", "probe").getString("access_token");
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> signIn(int node, String clientId) {
    return http.get(node).postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", clientId,
        "username", "kim@example.com", "password", "user-password"));
  }

  private static int introspectStatus(int node, String clientId, String secret, String token) {
    return http.get(node).postForm("/oauth2/introspect", Map.of("token", token), TestClient.basic(clientId, secret))
        .statusCode();
  }

  private static boolean active(int node, String token) {
    return http.get(node).introspect("gateway", gatewaySecret, token).getBoolean("active");
  }
}
