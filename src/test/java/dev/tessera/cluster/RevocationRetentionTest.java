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

      URI uri = URI.create(db);
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort()
          + uri.getPath() + "?user=postgres"); ResultSet rs = c.createStatement()
          .executeQuery("select expires_at from revocations order by seq desc limit 1")) {
        rs.next();
        Instant remembered = rs.getTimestamp(1).toInstant();
        // Access lifetime 15 min + 1 min margin, far short of the 30-day refresh token.
        assertThat(remembered).isBefore(Instant.now().plus(Duration.ofMinutes(17)));
        assertThat(remembered).isAfter(Instant.now().plus(Duration.ofMinutes(14)));
      }
    }
  }

  @Test
  void aRefreshTokenIsNotABearerCredential(Vertx vertx) {
    try (TestNode node = TestNode.start();
         TestClient http = new TestClient(vertx, node.port())) {
      var login = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "tessera-admin",
          "username", TestNode.ADMIN_USERNAME, "password", TestNode.ADMIN_PASSWORD, "scope", "admin"));
      String refresh = login.bodyAsJsonObject().getString("refresh_token");
      assertThat(http.json("GET", "/admin/api/users", null, refresh).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", TestClient.bearer(refresh)).statusCode()).isEqualTo(401);
    }
  }
}
