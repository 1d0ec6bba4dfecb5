package dev.tessera.cluster;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.StoppableDatabase;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §5.6–5.7: while the database is away a node may answer from cache only as long as its
 * staleness bound, then it fails closed and reports not ready; it recovers on its own.
 */
@ExtendWith(VertxExtension.class)
class FailClosedTest {

  @Test
  void aNodeCutOffFromTheRevocationLogStopsAnsweringActiveAndRecovers(Vertx vertx, @TempDir Path dir) {
    try (StoppableDatabase db = new StoppableDatabase(dir.resolve("pg"));
         TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", db.url(), "TESSERA_CATCHUP_INTERVAL", "PT0.5S",
             "TESSERA_STALENESS_BOUND", "PT1S"));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "erin@example.com", "user-password", "read");
      String token = http.login("mobile", "erin@example.com", "user-password", "Pixel").getString("access_token");
      assertThat(verify(http, token)).isEqualTo(200);
      Eventually.within(Duration.ofSeconds(10), () -> http.get("/health/ready", null).statusCode() == 200,
          "ready before the database goes away");

      db.stop();

      // Fail closed: never a 200 for a token the node can no longer vouch for, and not ready.
      Eventually.within(Duration.ofSeconds(10), () -> verify(http, token) == 503, "verification fails closed");
      assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(503);
      // Writes fail loudly, never with a false success.
      var login = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mobile",
          "username", "erin@example.com", "password", "user-password"));
      assertThat(login.statusCode()).isEqualTo(503);
      assertThat(login.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
      assertThat(login.getHeader("Retry-After")).isNotNull();
      var logout = http.postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile"));
      assertThat(logout.statusCode()).isEqualTo(503);

      db.start();

      Eventually.within(Duration.ofSeconds(20), () -> verify(http, token) == 200, "verification recovers");
      Eventually.within(Duration.ofSeconds(20), () -> http.get("/health/ready", null).statusCode() == 200,
          "readiness recovers");
    }
  }

  private static int verify(TestClient http, String token) {
    return http.get("/auth/verify", TestClient.bearer(token)).statusCode();
  }
}
