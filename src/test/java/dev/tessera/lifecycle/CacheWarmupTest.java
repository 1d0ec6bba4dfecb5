package dev.tessera.lifecycle;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A restarted node loads the live access tokens of recently used sessions before it is ready, so it answers
 * them from memory — and nothing revoked, and nothing never used, comes back with them.
 */
@ExtendWith(VertxExtension.class)
class CacheWarmupTest {
  @Test
  void aRestartedNodeAnswersRecentlyUsedTokensFromItsCacheAndNothingRevoked(Vertx vertx) {
    String db = TestDatabase.freshDatabaseUrl();
    String used;
    String revoked;
    String neverUsed;
    try (TestNode first = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, first.port())) {
      used = usedToken(http, "cw-mobile", "dora@example.com", "Phone");
      revoked = http.login("cw-mobile", "dora@example.com", "dora-password", "Tablet").getString("access_token");
      neverUsed = http.login("cw-mobile", "dora@example.com", "dora-password", "Laptop").getString("access_token");
      assertThat(http.get("/auth/verify", bearer(revoked)).statusCode()).isEqualTo(200);
      assertThat(http.postForm("/oauth2/revoke", Map.of("token", revoked, "client_id", "cw-mobile")).statusCode())
          .isEqualTo(200);
      assertThat(http.get("/auth/verify", bearer(revoked)).statusCode()).isEqualTo(401);
    } // a clean stop writes the last-used times

    try (TestNode second = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, second.port())) {
      // The admin's own session was used too (by the admin API calls above): it and the phone's token.
      assertThat(http.metric("tessera_token_cache_size")).as("warmed entries").isEqualTo(2);
      assertThat(http.metric("tessera_token_cache_misses_total")).isZero();

      assertThat(http.get("/auth/verify", bearer(used)).statusCode()).isEqualTo(200);
      assertThat(http.metric("tessera_token_cache_hits_total")).as("answered from the warmed cache").isEqualTo(1);
      assertThat(http.metric("tessera_token_cache_misses_total")).isZero();

      assertThat(http.get("/auth/verify", bearer(revoked)).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", bearer(neverUsed)).statusCode()).isEqualTo(200);
      assertThat(http.metric("tessera_token_cache_misses_total")).as("the revoked and the never-used token were read")
          .isEqualTo(2);
    }
  }

  /** A public client, a user of it (password: the part of the name before @, + "-password"), a used token. */
  private static String usedToken(TestClient http, String clientId, String username, String device) {
    String admin = http.adminToken();
    String password = username.substring(0, username.indexOf('@')) + "-password";
    http.createPublicClient(admin, clientId, "read");
    http.createUser(admin, username, password, "read");
    String token = http.login(clientId, username, password, device).getString("access_token");
    assertThat(http.get("/auth/verify", bearer(token)).statusCode()).isEqualTo(200);
    return token;
  }

  @Test
  void warmUpCanBeTurnedOff(Vertx vertx) {
    String db = TestDatabase.freshDatabaseUrl();
    String used;
    try (TestNode first = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, first.port())) {
      used = usedToken(http, "cw-off", "erin@example.com", "Phone");
    }
    try (TestNode second = TestNode.start(Map.of("TESSERA_DB_URL", db, "TESSERA_CACHE_WARM_TOKENS", 0));
         TestClient http = new TestClient(vertx, second.port())) {
      assertThat(http.metric("tessera_token_cache_size")).isZero();
      assertThat(http.get("/auth/verify", bearer(used)).statusCode()).isEqualTo(200);
      assertThat(http.metric("tessera_token_cache_misses_total")).isEqualTo(1);
    }
  }
}
