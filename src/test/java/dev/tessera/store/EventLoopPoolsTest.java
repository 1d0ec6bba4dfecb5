package dev.tessera.store;

import dev.tessera.testing.TestDatabase;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each event loop's queries run on connections of its own pool (the shared pool lent them across loops). */
class EventLoopPoolsTest {
  private static final int PER_LOOP = 2;
  private static final int CONCURRENT = 12;

  private Vertx vertx;
  private EventLoopPools pools;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    URI db = URI.create(TestDatabase.freshDatabaseUrl());
    PgConnectOptions connect = new PgConnectOptions().setHost(db.getHost()).setPort(db.getPort())
        .setDatabase(db.getPath().substring(1)).setUser(db.getUserInfo());
    pools = new EventLoopPools((VertxInternal) vertx, loop -> PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(PER_LOOP).setName("test-loop-" + loop)).connectingTo(connect).using(vertx).build());
  }

  @AfterEach
  void stop() throws Exception {
    pools.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * Two verticles, one per loop, each keep more queries in flight than their share of connections. With one
   * pool of 2 x PER_LOOP shared by both, the first loop opens every connection and the second borrows them.
   */
  @Test
  void concurrentQueriesOfEachLoopUseOnlyThatLoopsConnections() throws Exception {
    Map<String, Set<Integer>> backendsByLoop = new ConcurrentHashMap<>();
    Promise<Void> bothStarted = Promise.promise();
    List<Future<Void>> done = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Promise<Void> finished = Promise.promise();
      done.add(finished.future());
      vertx.deployVerticle(new AbstractVerticle() {
        @Override
        public void start() {
          bothStarted.future().onComplete(go -> context.runOnContext(v -> queryConcurrently(backendsByLoop, finished)));
        }
      }, new DeploymentOptions()).await(10, TimeUnit.SECONDS);
    }
    bothStarted.complete();
    Future.all(done).await(30, TimeUnit.SECONDS);

    assertThat(backendsByLoop).hasSize(2);
    List<Set<Integer>> perLoop = new ArrayList<>(backendsByLoop.values());
    assertThat(perLoop.get(0)).isNotEmpty().hasSizeLessThanOrEqualTo(PER_LOOP);
    assertThat(perLoop.get(1)).isNotEmpty().hasSizeLessThanOrEqualTo(PER_LOOP);
    Set<Integer> shared = new HashSet<>(perLoop.get(0));
    shared.retainAll(perLoop.get(1));
    assertThat(shared).as("backends serving both loops").isEmpty();
    assertThat(pools.size()).isEqualTo(perLoop.get(0).size() + perLoop.get(1).size());
  }

  @Test
  void aCallerOutsideVertxIsServedToo() throws Exception {
    Integer one = pools.preparedQuery("select 1 as one").execute()
        .map(rows -> rows.iterator().next().getInteger("one")).await(10, TimeUnit.SECONDS);
    assertThat(one).isEqualTo(1);
  }

  @Test
  void aTransactionGetsAConnectionFromThePools() throws Exception {
    Integer pid = pools.withTransaction(conn -> conn.query("select pg_backend_pid() as pid").execute()
        .map(rows -> rows.iterator().next().getInteger("pid"))).await(10, TimeUnit.SECONDS);
    assertThat(pid).isPositive();
  }

  private void queryConcurrently(Map<String, Set<Integer>> backendsByLoop, Promise<Void> finished) {
    String loop = Thread.currentThread().getName();
    Set<Integer> backends = backendsByLoop.computeIfAbsent(loop, l -> ConcurrentHashMap.newKeySet());
    List<Future<Void>> queries = new ArrayList<>();
    for (int q = 0; q < CONCURRENT; q++) {
      // The sleep keeps every query in flight at once, so the pool must lend, open or borrow a connection.
      queries.add(pools.preparedQuery("select pg_backend_pid() as pid, pg_sleep(0.05)").execute().map(rows -> {
        assertThat(Thread.currentThread().getName()).isEqualTo(loop);
        backends.add(rows.iterator().next().getInteger("pid"));
        return null;
      }));
    }
    Future.all(queries).<Void>mapEmpty().onComplete(finished);
  }
}
