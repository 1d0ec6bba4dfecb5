package dev.tessera.cluster;

import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import dev.tessera.testing.ClusterKeys;
import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestCluster;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Only holders of the cluster's keys take part: a node with another TESSERA_CLUSTER_SECRET never joins
 * Hazelcast, and a node that has the secret but not a certificate from the cluster CA cannot put a message
 * — a forged revocation — on the event bus. Real clustered nodes over loopback.
 */
@ExtendWith(VertxExtension.class)
class ClusterAdmissionTest {
  private static final String PROBE = "test.cluster-admission.probe";
  private static final DeliveryOptions PROBE_TIMEOUT = new DeliveryOptions().setSendTimeout(15_000);

  private static TestCluster cluster;
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(2, Map.of());
    // Node 0 alone answers on a probe address, so a message sent from anywhere else must cross the bus.
    TestNode target = cluster.node(0);
    target.tessera().vertx().eventBus().<String>consumer(PROBE, m -> m.reply("pong from " + target.port()))
        .completion().await();
    http = new TestClient(vertx, cluster.node(0).port());
    String admin = http.adminToken();
    http.createPublicClient(admin, "mobile", "read");
    gatewaySecret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void nodesHoldingTheKeysFormOneClusterAndTalkOnTheBus() {
    assertThat(members(cluster.node(0))).isEqualTo(2);
    assertThat(members(cluster.node(1))).isEqualTo(2);
    Message<Object> reply = cluster.node(1).tessera().vertx().eventBus()
        .request(PROBE, "ping", PROBE_TIMEOUT).await();
    assertThat(reply.body()).isEqualTo("pong from " + cluster.node(0).port());
  }

  @Test
  void aNodeWithAnotherClusterSecretDoesNotJoin() {
    try (TestNode stranger = cluster.startOutsider(ClusterKeys.shared()
        .withSecret("another-deployments-secret-0123456789").overrides())) {
      assertThat(members(stranger)).isEqualTo(1);
      assertThat(members(cluster.node(0))).isEqualTo(2);
      assertThat(members(cluster.node(1))).isEqualTo(2);
    }
  }

  @Test
  void aMemberWithoutTheClusterCertificateCannotDeliverARevocation() {
    String user = "ca-" + UUID.randomUUID() + "@example.com";
    String userId = http.createUser(http.adminToken(), user, "user-password", "read").getString("id");
    String access = http.login("mobile", user, "user-password", "phone").getString("access_token");
    UUID session = UUID.fromString(http.json("GET", "/admin/api/users/" + userId + "/sessions", null, http.adminToken())
        .bodyAsJsonObject().getJsonArray("items").getJsonObject(0).getString("id"));
    assertThat(http.isActive("gateway", gatewaySecret, access)).isTrue();

    // The secret alone admits it to Hazelcast: what keeps it off the bus is the certificate.
    try (TestNode rogue = cluster.startOutsider(ClusterKeys.shared()
        .withCertificateOf(ClusterKeys.stranger()).overrides())) {
      assertThat(members(rogue)).isEqualTo(3);
      Vertx rogueVertx = rogue.tessera().vertx();
      rogueVertx.eventBus().publish(RevocationMessages.ADDRESS, forgedRevocation(session, rogue));
      // Sent after the forged revocation on the same connection attempt; it fails, so that did too.
      Future<Message<Object>> probe = rogueVertx.eventBus().request(PROBE, "ping", PROBE_TIMEOUT);
      assertThat(probe.transform(done -> Future.succeededFuture(done.succeeded())).await())
          .as("a message from the rogue member was delivered").isFalse();
      assertThat(http.isActive("gateway", gatewaySecret, access)).isTrue();
    }

    // The same message from a node holding the keys does end the session: the forgery was well-formed.
    TestNode member = cluster.node(1);
    member.tessera().vertx().eventBus().publish(RevocationMessages.ADDRESS, forgedRevocation(session, member));
    Eventually.await("the member's revocation to reach node 0", Duration.ofSeconds(20),
        () -> http.isActive("gateway", gatewaySecret, access), active -> !active);
  }

  private static io.vertx.core.json.JsonObject forgedRevocation(UUID session, TestNode sender) {
    Instant now = Instant.now();
    return RevocationMessages.encode(new Revocation(Long.MAX_VALUE / 2, List.of(session), RevocationReason.ADMIN,
        now, now.plus(1, ChronoUnit.HOURS), sender.tessera().nodeId().orElseThrow(), null), false);
  }

  private static int members(TestNode node) {
    return node.tessera().vertx().isClustered()
        ? ((io.vertx.core.internal.VertxInternal) node.tessera().vertx()).clusterManager().getNodes().size() : 1;
  }
}
