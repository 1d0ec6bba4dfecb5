package dev.tessera.token;

import dev.tessera.auth.Overloaded;
import dev.tessera.domain.TokenHash;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.TokenStore;
import dev.tessera.vertx.CallerContext;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The verifier's database reads on a cache miss. Two things a node needs right after a restart, when
 * its cache is empty and the traffic of a warm node arrives at once:
 * <ul>
 *   <li>Concurrent misses for the same token share one read: a popular token costs one query, not one
 *   per request that arrived before the answer.</li>
 *   <li>At most {@code limit} reads run at a time and at most {@code maxQueued} wait; beyond that a miss
 *   fails fast with {@link Overloaded} (503 + Retry-After) instead of piling onto PostgreSQL.</li>
 * </ul>
 * The answer is put in the cache before the read stops being shared, so a request arriving in between
 * finds one or the other. Every waiter is answered on its own Vert.x context (the event loop of its
 * request), whichever loop the database answered on.
 */
public final class TokenReads {
  private final TokenStore store;
  private final VerificationCache cache;
  private final TesseraMetrics metrics;
  private final int limit;
  private final int maxQueued;
  private final ConcurrentHashMap<TokenHash, Read> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Read> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger running = new AtomicInteger();
  /** Reads running or queued: at most limit + maxQueued. */
  private final AtomicInteger accepted = new AtomicInteger();

  public TokenReads(TokenStore store, VerificationCache cache, TesseraMetrics metrics, int limit, int maxQueued) {
    if (limit < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("limit must be at least 1 and maxQueued at least 0");
    }
    this.store = store;
    this.cache = cache;
    this.metrics = metrics;
    this.limit = limit;
    this.maxQueued = maxQueued;
  }

  /** One database read and everyone waiting for it. {@code waiters} only grows while the read is in the map. */
  private static final class Read {
    final TokenHash hash;
    final List<Promise<CachedToken>> waiters = new ArrayList<>(1);

    Read(TokenHash hash) {
      this.hash = hash;
    }
  }

  /** The token as the database knows it ({@link CachedToken#INACTIVE} if it does not), now cached. */
  Future<CachedToken> read(TokenHash hash) {
    Promise<CachedToken> promise = CallerContext.promise();
    boolean[] started = new boolean[1];
    Read read = inFlight.compute(hash, (h, existing) -> {
      Read r = existing;
      if (r == null) {
        r = new Read(h);
        started[0] = true;
      }
      r.waiters.add(promise);
      return r;
    });
    if (started[0]) {
      submit(read);
    }
    return promise.future();
  }

  /** Reads running or waiting for a slot right now (for tests and metrics). */
  int inFlight() {
    return inFlight.size();
  }

  private void submit(Read read) {
    if (accepted.incrementAndGet() > limit + maxQueued) {
      accepted.decrementAndGet();
      finish(read, Future.failedFuture(new Overloaded("token lookup queue")));
      return;
    }
    queue.add(read);
    drain();
  }

  /**
   * Starts queued reads while there are free slots. Called after every submit and every completion, so
   * a read queued while a slot was being freed is never left behind.
   */
  private void drain() {
    while (true) {
      int now = running.get();
      if (now >= limit) {
        return;
      }
      if (!running.compareAndSet(now, now + 1)) {
        continue;
      }
      Read next = queue.poll();
      if (next == null) {
        running.decrementAndGet();
        if (queue.isEmpty()) {
          return;
        }
        continue;
      }
      start(next);
    }
  }

  private void start(Read read) {
    Future<CachedToken> result;
    metrics.tokenRead();
    try {
      result = store.findByHash(read.hash).map(record -> record.map(CachedToken::from).orElse(CachedToken.INACTIVE));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      running.decrementAndGet();
      accepted.decrementAndGet();
      finish(read, ar);
      drain();
    });
  }

  private void finish(Read read, AsyncResult<CachedToken> result) {
    if (result.succeeded()) {
      cache.put(read.hash, result.result());
    }
    inFlight.remove(read.hash, read);
    // No waiter can join any more: joining happens inside compute() while the read is mapped.
    for (Promise<CachedToken> waiter : read.waiters) {
      waiter.handle(result);
    }
  }
}
