package dev.tessera.store;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * One Vert.x pool per event loop, each used only by callers on its loop: a query's connection, its socket
 * I/O and its answer stay on the thread that asked.
 * <p>
 * Why not one shared pool: Vert.x's pool lends a connection of the caller's loop if one is free, else opens
 * one there while it may, else lends any free connection, on whichever loop that lives. With two request
 * loops (plus the start-up loop, which opened the first connections) sharing 16 connections at 32 concurrent
 * cache misses, a large share of queries ran on another loop's connection: each such query costs two
 * cross-thread hand-offs (the command to the connection's loop, the answer back) and an eventfd wake-up each.
 * The bare pg-client route of the benchmark, one pool per verticle, did none of that and ran misses at ~1.5x
 * Tessera's rate on the same database (bench/results, issue 14).
 */
public final class EventLoopPools implements Pool {
  private final VertxInternal vertx;
  private final EventExecutor[] loops;
  private final Pool[] pools;

  /**
   * {@code newPool} is called now, once per event loop of {@code vertx} with the loop's index (pools open their
   * connections on demand, so a loop that never queries holds none). Each pool needs a name of its own: the
   * pool metrics of a second pool under the same name are dropped.
   */
  public EventLoopPools(VertxInternal vertx, IntFunction<Pool> newPool) {
    this.vertx = vertx;
    List<EventExecutor> all = new ArrayList<>();
    vertx.nettyEventLoopGroup().forEach(all::add);
    loops = all.toArray(new EventExecutor[0]);
    pools = new Pool[loops.length];
    for (int i = 0; i < loops.length; i++) {
      pools[i] = newPool.apply(i);
    }
  }

  /** The pool of the calling thread's event loop (of the context a call from outside Vert.x would get). */
  private Pool local() {
    ContextInternal context = ContextInternal.current();
    EventLoop loop = (context != null ? context : vertx.getOrCreateContext()).nettyEventLoop();
    for (int i = 0; i < loops.length; i++) {
      if (loops[i] == loop) {
        return pools[i];
      }
    }
    return pools[0];
  }

  @Override
  public Future<SqlConnection> getConnection() {
    return local().getConnection();
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return local().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return local().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return local().preparedQuery(sql, options);
  }

  @Override
  public int size() {
    int size = 0;
    for (Pool pool : pools) {
      size += pool.size();
    }
    return size;
  }

  @Override
  public Future<Void> close() {
    List<Future<Void>> closed = new ArrayList<>(pools.length);
    for (Pool pool : pools) {
      closed.add(pool.close());
    }
    return Future.join(closed).mapEmpty();
  }
}
