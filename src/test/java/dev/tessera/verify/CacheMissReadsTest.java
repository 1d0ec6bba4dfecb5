package dev.tessera.verify;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.tessera.testing.TestClient.basic;
import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a node does on cache misses when many arrive at once, as right after a restart: concurrent
 * misses for one token share one database read, and reads are bounded (the excess is answered 503 +
 * Retry-After at once instead of queueing on PostgreSQL). The database read is held open with a real
 * table lock taken from outside, so "concurrent" is certain rather than likely.
 */
@ExtendWith(VertxExtension.class)
class CacheMissReadsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void concurrentMissesForOneTokenShareOneDatabaseRead(Vertx vertx) throws Exception {
    String dbUrl = TestDatabase.freshDatabaseUrl();
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", dbUrl));
         TestClient http = new TestClient(vertx, node.port());
         Connection outside = TestDatabase.connect(dbUrl)) {
      String token = mint(http, "reads-rs").get(0);
      MeterRegistry metrics = node.tessera().services().metrics().registry();
      double misses = count(metrics, "tessera.token.cache.misses");
      double reads = count(metrics, "tessera.token.reads");

      List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
      WebClient burst = burstClient(vertx, node.port());
      try (Statement lock = outside.createStatement()) {
        outside.setAutoCommit(false);
        lock.execute("lock table tokens in access exclusive mode");
        for (int i = 0; i < 20; i++) {
          answers.add(burst.get("/auth/verify").putHeader("Authorization", bearer(token)).send());
        }
        // Every request has missed the cache and is waiting, yet only one read was sent.
        Eventually.await("20 cache misses", WAIT, () -> count(metrics, "tessera.token.cache.misses") - misses, n -> n >= 20);
        assertThat(count(metrics, "tessera.token.cache.misses") - misses).isEqualTo(20);
        assertThat(count(metrics, "tessera.token.reads") - reads).isEqualTo(1);
        Eventually.await("the read waiting on the lock", WAIT, () -> lockWaiters(outside), n -> n == 1);
        assertThat(answers).noneMatch(Future::isComplete);
        outside.commit();
      }
      for (Future<HttpResponse<Buffer>> answer : answers) {
        assertThat(answer.await().statusCode()).isEqualTo(200);
      }
      assertThat(count(metrics, "tessera.token.reads") - reads).isEqualTo(1);
      // The shared read filled the cache: the next presentation is a hit.
      double hits = count(metrics, "tessera.token.cache.hits");
      assertThat(http.get("/auth/verify", bearer(token)).statusCode()).isEqualTo(200);
      assertThat(count(metrics, "tessera.token.cache.hits") - hits).isEqualTo(1);
      burst.close();
    }
  }

  @Test
  void readsBeyondTheBoundAreTurnedAway503WithoutReachingTheDatabase(Vertx vertx) throws Exception {
    String dbUrl = TestDatabase.freshDatabaseUrl();
    // Pool of 2: at most 8 reads run (4 per connection, the rest of them in the pool's queue) and 24 wait,
    // so 32 misses are accepted and the other 8 are shed.
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", dbUrl, "TESSERA_DB_POOL_SIZE", 2));
         TestClient http = new TestClient(vertx, node.port());
         Connection outside = TestDatabase.connect(dbUrl)) {
      List<String> tokens = mint(http, "bound-rs", 40);
      MeterRegistry metrics = node.tessera().services().metrics().registry();
      double reads = count(metrics, "tessera.token.reads");
      double misses = count(metrics, "tessera.token.cache.misses");

      List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
      WebClient burst = burstClient(vertx, node.port());
      List<Integer> whileLocked = new ArrayList<>();
      try (Statement lock = outside.createStatement()) {
        outside.setAutoCommit(false);
        lock.execute("lock table tokens in access exclusive mode");
        for (String token : tokens) {
          answers.add(burst.get("/auth/verify").putHeader("Authorization", bearer(token)).send());
        }
        Eventually.await("40 cache misses", WAIT, () -> count(metrics, "tessera.token.cache.misses") - misses, n -> n >= 40);
        // The 8 beyond the bound are answered at once, while the database is still locked.
        Eventually.await("8 answers while locked", WAIT, () -> answers.stream().filter(Future::isComplete).count(),
            n -> n >= 8);
        for (Future<HttpResponse<Buffer>> answer : answers) {
          if (answer.isComplete()) {
            assertThat(answer.succeeded()).as("request failed: %s", answer.cause()).isTrue();
            HttpResponse<Buffer> r = answer.result();
            assertThat(r.getHeader("Retry-After")).isEqualTo("1");
            whileLocked.add(r.statusCode());
          }
        }
        assertThat(count(metrics, "tessera.token.reads") - reads).isEqualTo(8);
        outside.commit();
      }
      assertThat(whileLocked).hasSize(8).containsOnly(503);
      int ok = 0;
      for (Future<HttpResponse<Buffer>> answer : answers) {
        if (answer.await().statusCode() == 200) {
          ok++;
        }
      }
      assertThat(ok).isEqualTo(32);
      assertThat(count(metrics, "tessera.token.reads") - reads).isEqualTo(32);
      burst.close();
    }
  }

  /** client_credentials tokens, none of them verified yet (so none cached). */
  private static List<String> mint(TestClient http, String clientId, int n) {
    String admin = http.adminToken();
    String secret = http.createResourceServer(admin, clientId, "read").getString("client_secret");
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
          basic(clientId, secret));
      assertThat(r.statusCode()).isEqualTo(200);
      tokens.add(r.bodyAsJsonObject().getString("access_token"));
    }
    return tokens;
  }

  private static List<String> mint(TestClient http, String clientId) {
    return mint(http, clientId, 1);
  }

  /** Enough connections that every request of the burst is at the server at once. */
  private static WebClient burstClient(Vertx vertx, int port) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(64));
  }

  private static double count(MeterRegistry metrics, String name) {
    return metrics.get(name).counter().count();
  }

  /** Backends waiting on a lock with Tessera's token lookup (inside our transaction: fresh statistics each time). */
  private static int lockWaiters(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("select pg_stat_clear_snapshot()");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    try (Statement s = c.createStatement();
         ResultSet r = s.executeQuery("select count(*) from pg_stat_activity where datname = current_database() "
             + "and wait_event_type = 'Lock' and query like '%from tokens t join sessions%'")) {
      r.next();
      return r.getInt(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
