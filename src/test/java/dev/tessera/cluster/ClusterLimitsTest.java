package dev.tessera.cluster;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Back-offs and rate limits hold for the cluster, not per node: three real clustered nodes, attempts
 * sent round-robin. Kept per node, 9 failures would be 3 a node, under the 5 free ones, and never
 * refused; shared, the 6th failure starts a wait that doubles, so a refusal comes well within 9 (unless
 * each attempt took longer than the doubling wait, seconds on any machine).
 */
@ExtendWith(VertxExtension.class)
class ClusterLimitsTest {
  private static final int ATTEMPTS = 9;
  private static TestCluster cluster;
  private static List<TestClient> clients;
  private static String secret;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(3, Map.of("TESSERA_TOKEN_RATE_PER_CLIENT", 1));
    clients = cluster.nodes().stream().map(n -> new TestClient(vertx, n.port())).toList();
    String admin = clients.get(0).adminToken();
    // TESSERA_TOKEN_RATE_PER_CLIENT=1 is for the rate-limit test: each sign-in attempt uses its own app,
    // so no attempt is refused by a rate limit instead of being checked.
    for (int i = 0; i < ATTEMPTS; i++) {
      clients.get(0).createPublicClient(admin, "cl-mobile-" + i, "read");
    }
    clients.get(0).createUser(admin, "cl-user", "cl-user-password", "read");
    secret = clients.get(0).createResourceServer(admin, "cl-rs", "read").getString("client_secret");
  }

  @AfterAll
  static void stop() {
    clients.forEach(TestClient::close);
    cluster.close();
  }

  private static List<Integer> roundRobin(BiFunction<TestClient, Integer, HttpResponse<Buffer>> attempt) {
    return roundRobin(ATTEMPTS, attempt);
  }

  /** Sends attempt i to node i mod 3; returns the status codes. */
  private static List<Integer> roundRobin(int attempts, BiFunction<TestClient, Integer, HttpResponse<Buffer>> attempt) {
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < attempts; i++) {
      statuses.add(attempt.apply(clients.get(i % clients.size()), i).statusCode());
    }
    return statuses;
  }

  @Test
  void signInBackOffCountsFailuresOnEveryNode() {
    List<Integer> statuses = roundRobin((http, i) -> http.postForm("/oauth2/token", Map.of("grant_type", "password",
        "client_id", "cl-mobile-" + i, "username", "cl-user", "password", "wrong")));

    assertThat(statuses.subList(0, 5)).as("the 5 free failures").containsOnly(400);
    assertThat(statuses).as("round-robin attempts %s", statuses).contains(429);
  }

  @Test
  void clientBackOffCountsFailuresOnEveryNode() {
    List<Integer> statuses = new ArrayList<>();
    List<String> throttled = new ArrayList<>();
    roundRobin((http, i) -> {
      HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", "x"), TestClient.basic("cl-rs", "guess"));
      statuses.add(r.statusCode());
      if (r.getHeader("Retry-After") != null) {
        throttled.add(r.bodyAsJsonObject().getString("error"));
      }
      return r;
    });

    assertThat(statuses).containsOnly(401);
    assertThat(throttled).as("round-robin attempts backing off").isNotEmpty().containsOnly("invalid_client");
  }

  /**
   * TESSERA_TOKEN_RATE_PER_CLIENT=1: a burst of two, then one a second. Six requests, two a node, stay
   * within each node's own burst; for the whole cluster they are three times the burst.
   */
  @Test
  void aClientsRateLimitIsForTheWholeCluster() {
    List<Integer> statuses = roundRobin(6, (http, i) -> http.postForm("/oauth2/token",
        Map.of("grant_type", "client_credentials"), TestClient.basic("cl-rs", secret)));

    assertThat(statuses.get(0)).as("precondition: the client may get tokens").isEqualTo(200);
    assertThat(statuses).as("round-robin attempts %s", statuses).contains(429);
  }
}
