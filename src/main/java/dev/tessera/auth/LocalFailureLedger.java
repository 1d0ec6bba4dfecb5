package dev.tessera.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;

/** Failure counts in this node's memory (single-node mode); bounded, so a spray of keys cannot grow it without limit. */
public final class LocalFailureLedger implements FailureLedger {
  private final Cache<String, Failures> entries =
      Caffeine.newBuilder().maximumSize(500_000).expireAfterWrite(Failures.REMEMBERED).build();

  @Override
  public Future<Failures> get(String key) {
    Failures f = entries.getIfPresent(key);
    return Future.succeededFuture(f == null ? Failures.NONE : f);
  }

  @Override
  public Future<Failures> fail(String key, int free, long nowMillis) {
    return Future.succeededFuture(entries.asMap().compute(key, (k, previous) -> Failures.next(previous, free, nowMillis)));
  }

  @Override
  public Future<Void> forget(String key) {
    entries.invalidate(key);
    return Future.succeededFuture();
  }
}
