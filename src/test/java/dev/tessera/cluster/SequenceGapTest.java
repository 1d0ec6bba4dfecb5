package dev.tessera.cluster;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revocation sequence numbers are drawn at insert but seen at commit: a transaction holding seq n can
 * commit after seq n+1 has been read. The follower must go back for n rather than skip it.
 */
@ExtendWith(VertxExtension.class)
class SequenceGapTest {
  private static TestNode node;
  private static TestClient http;
  private static String gatewaySecret;
  private static String jdbcUrl;

  @BeforeAll
  static void start(Vertx vertx) {
    String dbUrl = TestDatabase.freshDatabaseUrl();
    URI uri = URI.create(dbUrl);
    jdbcUrl = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath() + "?user=postgres";
    // A long catch-up interval: the test drives the follower's polls itself.
    node = TestNode.start(Map.of("TESSERA_DB_URL", dbUrl, "TESSERA_CATCHUP_INTERVAL", "PT1H", "TESSERA_STALENESS_BOUND", "PT2H"));
    http = new TestClient(vertx, node.port());
    String admin = http.adminToken();
    http.createPublicClient(admin, "mobile", "read");
    gatewaySecret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    http.createUser(admin, "dave@example.com", "user-password", "read");
  }

  @AfterAll
  static void stop() {
    http.close();
    node.close();
  }

  @Test
  void aRevocationCommittedAfterALaterOneIsStillApplied() throws Exception {
    String early = http.login("mobile", "dave@example.com", "user-password", "early").getString("access_token");
    String late = http.login("mobile", "dave@example.com", "user-password", "late").getString("access_token");
    assertThat(active(early)).isTrue();
    assertThat(active(late)).isTrue();

    try (Connection slow = DriverManager.getConnection(jdbcUrl)) {
      slow.setAutoCommit(false);
      // A revocation written by "another node" whose transaction stays open: it holds the lower seq.
      UUID earlySession = sessionOf(slow, "early");
      try (PreparedStatement revoke = slow.prepareStatement("with s as (update sessions set revoked_at = now() "
          + "where id = ? returning id, expires_at) insert into revocations (session_ids, reason, expires_at) "
          + "select array_agg(id), 'admin', max(expires_at) from s")) {
        revoke.setObject(1, earlySession);
        revoke.executeUpdate();
      }
      // Meanwhile a later revocation commits and is read.
      http.postForm("/oauth2/revoke", Map.of("token", late, "client_id", "mobile"));
      node.tessera().follower().poll().await();
      assertThat(active(late)).isFalse();
      assertThat(active(early)).as("not yet committed").isTrue();

      slow.commit();
    }
    Eventually.within(Duration.ofSeconds(5), () -> {
      node.tessera().follower().poll().await();
      return !active(early);
    }, "the earlier sequence number is picked up once committed");
  }

  private static UUID sessionOf(Connection c, String device) throws Exception {
    try (PreparedStatement q = c.prepareStatement("select id from sessions where device = ?")) {
      q.setString(1, device);
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return (UUID) rs.getObject(1);
      }
    }
  }

  private static boolean active(String token) {
    return http.introspect("gateway", gatewaySecret, token).getBoolean("active");
  }
}
