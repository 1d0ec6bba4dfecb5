package dev.tessera.security;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests nobody has authenticated must not use up what real callers need: the hashing pool, another
 * caller's rate allowance, or the audit table. The node trusts 127.0.0.1 as a proxy, so requests name
 * the address they stand for in X-Forwarded-For.
 */
@ExtendWith(VertxExtension.class)
class AnonymousWorkTest {
  private static final String ATTACKER = "203.0.113.9";
  private static final String USER = "198.51.100.77";
  /** One hashing thread, 7 waiting, and hashes slow enough (≈ 0.1-0.5 s) that a burst is still being hashed. */
  private static final Map<String, Object> POOL_OF_EIGHT_SLOW_HASHES = Map.of("TESSERA_HASH_THREADS", 1,
      "TESSERA_HASH_QUEUE", 7, "TESSERA_ARGON2_MEMORY_KIB", 65536, "TESSERA_ARGON2_ITERATIONS", 3);

  /** A node of the test's own (limits differ per test), with an app and a user; closing stops it. */
  private record Setup(TestNode node, TestClient http, String admin) implements AutoCloseable {
    static Setup start(Vertx vertx, Map<String, Object> overrides) {
      Map<String, Object> config = new HashMap<>(overrides);
      config.put("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32");
      TestNode node = TestNode.start(config);
      TestClient http = new TestClient(vertx, node.port());
      String admin = http.adminToken();
      http.createPublicClient(admin, "aw-mobile", "read");
      http.createUser(admin, "aw-user", "aw-user-password", "read");
      return new Setup(node, http, admin);
    }

    @Override
    public void close() {
      http.close();
      node.close();
    }
  }

  private static HttpResponse<Buffer> signIn(TestClient http, String address, String password) {
    return http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "aw-mobile",
        "username", "aw-user", "password", password), TestClient.from(address));
  }

  /**
   * With one hashing thread, a queue of one and production-strength Argon2, any hashing for unknown
   * clients would overflow the pool and answer 503. Each guess comes from its own address, so no
   * per-address limit hides the effect.
   */
  @Test
  void unknownClientIdsAreRefusedWithoutTheHashingPool(Vertx vertx) {
    try (Setup setup = Setup.start(vertx, Map.of("TESSERA_HASH_THREADS", 1, "TESSERA_HASH_QUEUE", 1,
        "TESSERA_ARGON2_MEMORY_KIB", 19456, "TESSERA_ARGON2_ITERATIONS", 2))) {
      assertUnknownClientFloodIsRefusedAtOnce(setup.http());
    }
  }

  private static void assertUnknownClientFloodIsRefusedAtOnce(TestClient http) {
    List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      flood.add(http.postFormAsync("/oauth2/introspect", Map.of("token", "x",
          "client_id", "made-up-" + UUID.randomUUID(), "client_secret", "anything"), TestClient.from("203.0.113." + (i + 1))));
    }
    Future.all(flood).await();

    assertThat(flood).allSatisfy(r -> {
      assertThat(r.result().statusCode()).isEqualTo(401);
      assertThat(r.result().bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    });
  }

  /**
   * One hashing thread and a pool of 8 (the thread and 7 waiting). A burst of sign-ins from one address,
   * each a made-up username so that no back-off applies yet, used to take all 8 places, and everyone
   * else's sign-in was refused 503 until the burst had been hashed.
   */
  @Test
  void oneAddressCannotTakeTheWholeHashingPool(Vertx vertx) {
    try (Setup setup = Setup.start(vertx, POOL_OF_EIGHT_SLOW_HASHES)) {
      List<Future<HttpResponse<Buffer>>> burst = setup.http().forwardedFor(ATTACKER).madeUpSignIns("aw-mobile", 12);
      // Refusals come back at once and checks take a hash each, so the burst's admitted sign-ins are still
      // being hashed when one is refused (and the real user's sign-in arrives).
      TestClient.awaitRefusal(burst);

      HttpResponse<Buffer> real = signIn(setup.http(), USER, "aw-user-password");
      assertThat(real.statusCode()).as(real.bodyAsString()).isEqualTo(200);

      Future.all(burst).otherwiseEmpty().await();
      assertThat(burst).allSatisfy(f -> assertThat(f.result().statusCode()).isIn(400, 429));
      assertThat(burst).filteredOn(f -> f.result().statusCode() == 400)
          .as("the address still gets its share checked").isNotEmpty();
      assertThat(burst).filteredOn(f -> f.result().statusCode() == 429).allSatisfy(f -> {
        assertThat(f.result().bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
        assertThat(f.result().getHeader("Retry-After")).isEqualTo("1");
      });
      assertThat(setup.http().metric("tessera_password_checks_refused_total{reason=\"address_busy\"}"))
          .isEqualTo(burst.stream().filter(f -> f.result().statusCode() == 429).count());
      assertThat(setup.http().metric("tessera_password_checks_refused_total{reason=\"overloaded\"}")).isZero();
    }
  }

  /**
   * A gateway's first burst at a node that has just started carries a secret this node has not checked
   * yet. Each request of it used to take a place in the hashing pool (and beyond the pool, 503); now
   * the burst shares one check, so it is answered even though it is wider than the address's share.
   */
  @Test
  void aGatewaysFirstBurstSharesOneSecretCheck(Vertx vertx) {
    try (Setup setup = Setup.start(vertx, POOL_OF_EIGHT_SLOW_HASHES)) {
      String secret = setup.http().createResourceServer(setup.admin(), "aw-gateway", "read").getString("client_secret");
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        burst.add(setup.http().postFormAsync("/oauth2/introspect", Map.of("token", "x"),
            TestClient.from(USER, TestClient.basic("aw-gateway", secret))));
      }
      Future.all(burst).otherwiseEmpty().await();

      assertThat(burst).allSatisfy(f -> assertThat(f.result().statusCode()).as(f.result().bodyAsString()).isEqualTo(200));
    }
  }

  @Test
  void aFloodNamingAPublicClientDoesNotUseUpOtherAddressesAllowance(Vertx vertx) {
    try (Setup setup = Setup.start(vertx, Map.of("TESSERA_TOKEN_RATE_PER_CLIENT", 1))) {
      int refused = 0;
      for (int i = 0; i < 6; i++) {
        refused += signIn(setup.http(), ATTACKER, "aw-user-password").statusCode() == 429 ? 1 : 0;
      }
      assertThat(refused).as("precondition: the flooding address is rate limited").isPositive();

      HttpResponse<Buffer> real = signIn(setup.http(), USER, "aw-user-password");
      assertThat(real.statusCode()).as(real.bodyAsString()).isEqualTo(200);
    }
  }

  /** 300 junk requests wrote 323 rows in the review; now one address gets a bounded number a minute. */
  @Test
  void failuresFromOneAddressWriteABoundedNumberOfAuditRows(Vertx vertx) {
    try (Setup setup = Setup.start(vertx, Map.of())) {
      assertFailureAuditRowsAreBounded(setup.http(), setup.admin());
    }
  }

  private static void assertFailureAuditRowsAreBounded(TestClient http, String admin) {
    for (int i = 0; i < 60; i++) {
      http.postForm("/oauth2/introspect", Map.of("token", "x", "client_id", "junk-" + i, "client_secret", "x"),
          TestClient.from(ATTACKER));
    }
    assertThat(signIn(http, USER, "wrong-password").statusCode()).isEqualTo(400);

    // Audit rows are written fire-and-forget: wait for the last one, which comes from another address.
    List<JsonObject> rows = dev.tessera.testing.Eventually.await("the audit row of the last failure",
        java.time.Duration.ofSeconds(10), () -> http.json("GET", "/admin/api/audit?limit=500", null, admin)
            .bodyAsJsonObject().getJsonArray("items").stream().map(JsonObject.class::cast).toList(),
        items -> items.stream().anyMatch(e -> USER.equals(e.getString("ip"))));
    long fromAttacker = rows.stream().filter(e -> ATTACKER.equals(e.getString("ip"))).count();
    // At most 10 a minute of each kind: client_auth_failed, and client_auth_throttled once the address backs off.
    assertThat(fromAttacker).isPositive().isLessThanOrEqualTo(20);
  }
}
