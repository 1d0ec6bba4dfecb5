package dev.tessera.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/** Node-independent settings that must be the same everywhere, such as the generated token key. */
public final class SettingsStore {
  // Insert-if-absent then read: concurrent first starts of several nodes all end with the same value.
  private static final String PUT_IF_ABSENT = "insert into settings (key, value) values ($1, $2) on conflict (key) do nothing";
  private static final String GET = "select value from settings where key = $1";

  private final Pool pool;

  public SettingsStore(Pool pool) {
    this.pool = pool;
  }

  public Future<String> getOrCreate(String key, String candidate) {
    return pool.preparedQuery(PUT_IF_ABSENT).execute(Tuple.of(key, candidate))
        .compose(r -> pool.preparedQuery(GET).execute(Tuple.of(key)))
        .map(rows -> rows.iterator().next().getString(0));
  }
}
