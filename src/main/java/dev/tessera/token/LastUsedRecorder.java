package dev.tessera.token;

import dev.tessera.store.TokenStore;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers when each session was last used and writes the times in one batched statement per flush
 * (DESIGN §2: never one write per verification). Recording is a map put on the hot path.
 */
public final class LastUsedRecorder {
  private static final Logger log = LoggerFactory.getLogger(LastUsedRecorder.class);

  private final TokenStore store;
  private static final long RESOLUTION_MILLIS = 1000;

  private final ConcurrentHashMap<UUID, Long> pending = new ConcurrentHashMap<>();

  public LastUsedRecorder(TokenStore store) {
    this.store = store;
  }

  void record(CachedToken token, long epochMillis) {
    // Every cache hit comes through here: a token already recorded this second costs a field read, not a map
    // lookup (and a put is a locked bin and a boxed value). A second is finer than anyone reads it.
    int second = (int) (epochMillis / RESOLUTION_MILLIS);
    if (token.lastUsedSecond() != second) {
      token.lastUsedSecond(second);
      pending.put(token.sessionId(), epochMillis);
    }
  }

  /** Writes what was recorded since the last flush; a failed write is retried at the next flush. */
  public Future<Void> flush() {
    if (pending.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<UUID, Instant> batch = new HashMap<>();
    for (UUID id : pending.keySet()) {
      Long at = pending.remove(id);
      if (at != null) {
        batch.put(id, Instant.ofEpochMilli(at));
      }
    }
    return store.touch(batch).onFailure(e -> {
      log.warn("could not write last-used times of {} sessions, will retry: {}", batch.size(), e.getMessage());
      batch.forEach((id, at) -> pending.merge(id, at.toEpochMilli(), Math::max));
    });
  }
}
