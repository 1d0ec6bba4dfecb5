package dev.tessera.ops;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readiness must not share the request path's connections: when request traffic saturates the pool, a
 * readiness ping queued behind it would turn every pod not-ready at once, just when capacity is needed.
 */
@ExtendWith(VertxExtension.class)
class ReadinessUnderLoadTest {

  @Test
  void readinessStaysUpWhileEveryRequestConnectionIsBusy(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_POOL_SIZE", 1));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "rl-mobile", "read");
      http.createUser(admin, "rl-olga", "olga-password", "read");
      assertThat(http.get("/health/ready", null).statusCode()).isEqualTo(200);

      List<Future<HttpResponse<Buffer>>> signIns = new ArrayList<>();
      try (Connection outside = TestDatabase.connect(node.config().dbUrl().orElseThrow());
           Statement sql = outside.createStatement()) {
        // An outside transaction holds the tables sign-ins read: the request pool's one connection waits on it.
        outside.setAutoCommit(false);
        sql.execute("lock table users, clients in access exclusive mode");
        for (int i = 0; i < 8; i++) {
          signIns.add(http.postFormAsync("/oauth2/token", Map.of("grant_type", "password", "client_id", "rl-mobile",
              "username", "rl-olga", "password", "olga-password")));
        }
        Eventually.await("the request pool's connection to wait on the lock", Duration.ofSeconds(20),
            () -> waitingOnLocks(sql), n -> n >= 1);

        // Longer than the readiness check's own 2 s timeout, so a ping stuck in the pool would show.
        for (int probe = 0; probe < 3; probe++) {
          HttpResponse<Buffer> ready = http.get("/health/ready", null);
          assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
        }
        assertThat(waitingOnLocks(sql)).as("the request pool is still saturated").isGreaterThanOrEqualTo(1);
        assertThat(signIns).noneMatch(Future::isComplete);
        outside.rollback();
      }
      for (Future<HttpResponse<Buffer>> signIn : signIns) {
        assertThat(signIn.await().statusCode()).isEqualTo(200);
      }
    }
  }

  private static int waitingOnLocks(Statement sql) {
    try (ResultSet r = sql.executeQuery("select count(*) from pg_stat_activity "
        + "where datname = current_database() and wait_event_type = 'Lock'")) {
      r.next();
      return r.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
