package dev.tessera.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.map.IMap;
import dev.tessera.auth.FailureLedger;
import dev.tessera.auth.Failures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Failure counts shared by the cluster in a Hazelcast map, so back-offs hold across nodes instead of
 * multiplying by their number. A failure is counted by an entry processor on the member that owns the
 * key (atomic, one round trip), which also sets the entry's time to live. Only the async calls are
 * used, bridged onto the caller's Vert.x context: an event loop never waits on the network.
 */
public final class SharedFailureLedger implements FailureLedger {
  private final IMap<String, Failures> map;
  private final Vertx vertx;

  public SharedFailureLedger(IMap<String, Failures> map, Vertx vertx) {
    this.map = map;
    this.vertx = vertx;
  }

  @Override
  public Future<Failures> get(String key) {
    return Future.fromCompletionStage(map.getAsync(key), vertx.getOrCreateContext())
        .map(found -> found == null ? Failures.NONE : found);
  }

  @Override
  public Future<Failures> fail(String key, int free, long nowMillis) {
    return Future.fromCompletionStage(map.submitToKey(key, new CountFailure(free, nowMillis)),
        vertx.getOrCreateContext());
  }

  @Override
  public Future<Void> forget(String key) {
    return Future.fromCompletionStage(map.removeAsync(key), vertx.getOrCreateContext()).mapEmpty();
  }

  /** Runs on the key's owner (and its backup): one more failure, remembered for {@link Failures#REMEMBERED}. */
  record CountFailure(int free, long nowMillis) implements EntryProcessor<String, Failures, Failures> {
    @Override
    public Failures process(Map.Entry<String, Failures> entry) {
      Failures next = Failures.next(entry.getValue(), free, nowMillis);
      ((ExtendedMapEntry<String, Failures>) entry).setValue(next, Failures.REMEMBERED.toMillis(), TimeUnit.MILLISECONDS);
      return next;
    }
  }
}
