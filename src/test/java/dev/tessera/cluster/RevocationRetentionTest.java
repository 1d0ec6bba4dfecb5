package dev.tessera.cluster;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes keep revoked sessions in memory only while one of their access tokens could still be answered
 * "active" — not for the 30-day refresh lifetime — and a refresh token is never a bearer credential.
 */
@ExtendWith(VertxExtension.class)
class RevocationRetentionTest {

  @Test
  void aRevocationIsRememberedForTheAccessLifetimeNotTheSessionLifetime(Vertx vertx) throws Exception {
    String db = TestDatabase.freshDatabaseUrl();
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "ivy@example.com", "user-password", "read");
      JsonObject tokens = http.login("mobile", "ivy@example.com", "user-password", "Pixel");
      http.postForm("/oauth2/revoke", Map.of("token", tokens.getString("refresh_token"), "client_id", "mobile"));

      Instant remembered = lastRevocationRememberedUntil(db);
      // The access token's own 15-minute lifetime, far short of the 30-day refresh token.
      assertThat(remembered).isBefore(Instant.now().plus(Duration.ofMinutes(16)));
      assertThat(remembered).isAfter(Instant.now().plus(Duration.ofMinutes(14)));
    }
  }

  @Test
  void duringARollingChangeOfTheAccessLifetimeARevocationIsRememberedAsLongAsTheLongestLivedToken(Vertx vertx)
      throws Exception {
    String db = TestDatabase.freshDatabaseUrl();
    // Two nodes on one database mid-rollout: the old one still mints 1-hour tokens, the new one 5-minute tokens.
    try (TestNode old = TestNode.start(Map.of("TESSERA_DB_URL", db, "TESSERA_ACCESS_TTL", "PT1H"));
         TestNode rolled = TestNode.start(Map.of("TESSERA_DB_URL", db, "TESSERA_ACCESS_TTL", "PT5M"));
         TestClient oldHttp = new TestClient(vertx, old.port());
         TestClient rolledHttp = new TestClient(vertx, rolled.port())) {
      String admin = oldHttp.adminToken();
      oldHttp.createPublicClient(admin, "mobile", "read");
      oldHttp.createUser(admin, "jo@example.com", "user-password", "read");
      JsonObject tokens = oldHttp.login("mobile", "jo@example.com", "user-password", "Pixel");
      assertThat(tokens.getLong("expires_in")).isEqualTo(3600);
      assertThat(oldHttp.get("/auth/verify", TestClient.bearer(tokens.getString("access_token"))).statusCode())
          .isEqualTo(200);

      var revoked = rolledHttp.postForm("/oauth2/revoke", Map.of("token", tokens.getString("access_token"),
          "client_id", "mobile"));
      assertThat(revoked.statusCode()).isEqualTo(200);

      // Remembered until the 1-hour token expires, not for the revoking node's 5 minutes.
      assertThat(lastRevocationRememberedUntil(db)).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
    }
  }

  private static Instant lastRevocationRememberedUntil(String db) throws Exception {
    URI uri = URI.create(db);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort()
        + uri.getPath() + "?user=postgres"); ResultSet rs = c.createStatement()
        .executeQuery("select expires_at from revocations order by seq desc limit 1")) {
      assertThat(rs.next()).as("a revocation row").isTrue();
      return rs.getTimestamp(1).toInstant();
    }
  }

  @Test
  void aRefreshTokenIsNotABearerCredential(Vertx vertx) {
    try (TestNode node = TestNode.start();
         TestClient http = new TestClient(vertx, node.port())) {
      http.createPublicClient(http.adminToken(), "rr-admin-app", "admin");
      var login = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "rr-admin-app",
          "username", TestNode.ADMIN_USERNAME, "password", TestNode.ADMIN_PASSWORD, "scope", "admin"));
      assertThat(login.statusCode()).as(login.bodyAsString()).isEqualTo(200);
      String access = login.bodyAsJsonObject().getString("access_token");
      String refresh = login.bodyAsJsonObject().getString("refresh_token");
      // The access token of the same sign-in is accepted at both doors; only the refresh token is not.
      assertThat(http.json("GET", "/admin/api/users", null, access).statusCode()).isEqualTo(200);
      assertThat(http.get("/auth/verify", TestClient.bearer(access)).statusCode()).isEqualTo(200);
      assertThat(http.json("GET", "/admin/api/users", null, refresh).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", TestClient.bearer(refresh)).statusCode()).isEqualTo(401);
    }
  }
}
