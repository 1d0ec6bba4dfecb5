package dev.tessera.store;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Housekeeping removes rows that expired and leaves everything still usable alone. */
@ExtendWith(VertxExtension.class)
class HousekeepingTest {

  @Test
  void expiredRowsAreDeletedAndLiveOnesKept(Vertx vertx) {
    String db = TestDatabase.freshDatabaseUrl();
    try (TestNode setup = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, setup.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "jo@example.com", "user-password", "read");
    }
    String expiredAccess;
    // A node issuing 1-second tokens: everything it issues is long expired by any later cut-off.
    try (TestNode shortLived = TestNode.start(Map.of("TESSERA_DB_URL", db, "TESSERA_ACCESS_TTL", "PT1S",
        "TESSERA_REFRESH_TTL", "PT1S"));
         TestClient http = new TestClient(vertx, shortLived.port())) {
      var tokens = http.login("mobile", "jo@example.com", "user-password", "old phone");
      expiredAccess = tokens.getString("access_token");
      http.postForm("/oauth2/revoke", Map.of("token", tokens.getString("refresh_token"), "client_id", "mobile"));
    }
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, node.port())) {
      String live = http.login("mobile", "jo@example.com", "user-password", "new phone").getString("access_token");
      String admin = http.adminToken();
      // A cut-off a minute ahead: everything from the first node (1 s lifetimes) is past it, nothing
      // issued by this node (15 min / 30 days) is — no waiting on the clock.
      var purged = node.tessera().purgeExpiredBefore(Instant.now().plus(Duration.ofMinutes(1))).await();

      // The old phone's access and refresh token, its session and its revocation row, plus the log row
      // that told every node about the new client "mobile" (client changes travel the revocation log
      // and, revoking no token, are remembered for no time at all).
      assertThat(purged.tokens()).isEqualTo(2);
      assertThat(purged.sessions()).isEqualTo(1);
      assertThat(purged.revocations()).isEqualTo(2);
      assertThat(http.get("/auth/verify", TestClient.bearer(live)).statusCode()).isEqualTo(200);
      assertThat(http.get("/auth/verify", TestClient.bearer(admin)).statusCode()).isEqualTo(200);
      String userId = http.json("GET", "/admin/api/users?q=jo@", null, admin).bodyAsJsonObject()
          .getJsonArray("items").getJsonObject(0).getString("id");
      var sessions = http.json("GET", "/admin/api/users/" + userId + "/sessions", null, admin).bodyAsJsonObject()
          .getJsonArray("items");
      assertThat(sessions).hasSize(1);
      assertThat(sessions.getJsonObject(0).getString("device")).isEqualTo("new phone");
      assertThat(http.get("/auth/verify", TestClient.bearer(expiredAccess)).statusCode()).isEqualTo(401);
      assertThat(node.tessera().purgeExpiredBefore(Instant.now().plus(Duration.ofMinutes(1))).await().tokens()).isZero();
    }
  }
  @Test
  void auditEventsOlderThanTheRetentionAreDeletedAndNewerOnesKept(Vertx vertx) {
    try (TestNode node = TestNode.start(); TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mobile",
          "username", "hk-nobody", "password", "wrong"));
      dev.tessera.testing.Eventually.await("the login_failed audit row", Duration.ofSeconds(10),
          () -> auditRows(http, admin), rows -> rows > 0);
      assertThat(node.config().auditRetention()).isEqualTo(Duration.ofDays(90));

      assertThat(node.tessera().purgeAuditBefore(Instant.now().minus(Duration.ofMinutes(1))).await()).isZero();
      assertThat(auditRows(http, admin)).isPositive();
      assertThat(node.tessera().purgeAuditBefore(Instant.now().plus(Duration.ofMinutes(1))).await()).isPositive();
      assertThat(auditRows(http, admin)).isZero();
    }
  }

  private static int auditRows(TestClient http, String admin) {
    return http.json("GET", "/admin/api/audit?username=hk-nobody", null, admin).bodyAsJsonObject()
        .getJsonArray("items").size();
  }
}
