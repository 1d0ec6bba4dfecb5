package dev.tessera.store;

import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The append-only revocation log. Each revoke is one statement that ends the sessions and appends the
 * log row together, so a revocation is either wholly durable or did not happen.
 */
public final class RevocationStore {
  private static final String REVOKE = "with revoked as (update sessions set revoked_at = clock_timestamp() "
      + "where %s and revoked_at is null returning id, expires_at) "
      + "insert into revocations (session_ids, reason, expires_at, origin) "
      + "select array_agg(id), $2, least(max(expires_at), clock_timestamp() + $4 * interval '1 second'), $3 "
      + "from revoked having count(*) > 0 "
      + "returning seq, session_ids, reason, revoked_at, expires_at, origin";
  private static final String BY_SESSIONS = REVOKE.formatted("id = any($1::uuid[])");
  private static final String BY_USER = REVOKE.formatted("user_id = $1");
  private static final String BY_CLIENT = REVOKE.formatted("client_id = $1");
  private static final String COLUMNS = "seq, session_ids, reason, revoked_at, expires_at, origin";
  private static final String AFTER = "select " + COLUMNS + " from revocations "
      + "where seq > $1 or seq = any($2::bigint[]) order by seq limit 10000";
  private static final String LIVE = "select " + COLUMNS + " from revocations where expires_at > now() order by seq";
  private static final String HEAD = "select coalesce(max(seq), 0) from revocations";

  private final Pool pool;
  private final String origin;
  private final long rememberSeconds;

  /**
   * @param origin   this node's id, recorded with every revocation it writes
   * @param remember how long nodes must remember a revocation at most: only access tokens are ever
   *                 answered "active" from cache (refresh tokens are always checked in the database), so
   *                 the access-token lifetime plus a margin for tokens minted while the revocation was
   *                 committing — not the 30-day session lifetime
   */
  public RevocationStore(Pool pool, String origin, java.time.Duration remember) {
    this.pool = pool;
    this.origin = origin;
    this.rememberSeconds = remember.toSeconds();
  }

  public Pool pool() {
    return pool;
  }

  public Future<Optional<Revocation>> revokeSessions(SqlClient client, List<UUID> sessionIds, RevocationReason reason) {
    return client.preparedQuery(BY_SESSIONS)
        .execute(Tuple.of(sessionIds.toArray(UUID[]::new), reason.label(), origin, rememberSeconds)).map(RevocationStore::first);
  }

  public Future<Optional<Revocation>> revokeUser(SqlClient client, UUID userId, RevocationReason reason) {
    return client.preparedQuery(BY_USER).execute(Tuple.of(userId, reason.label(), origin, rememberSeconds)).map(RevocationStore::first);
  }

  public Future<Optional<Revocation>> revokeClient(SqlClient client, String clientId, RevocationReason reason) {
    return client.preparedQuery(BY_CLIENT).execute(Tuple.of(clientId, reason.label(), origin, rememberSeconds)).map(RevocationStore::first);
  }

  /** Rows after {@code seq}, plus any listed sequence numbers that were gaps when last read. */
  public Future<List<Revocation>> after(long seq, long[] gaps) {
    Long[] boxed = Arrays.stream(gaps).boxed().toArray(Long[]::new);
    return pool.preparedQuery(AFTER).execute(Tuple.tuple().addLong(seq).addArrayOfLong(boxed)).map(RevocationStore::all);
  }

  /** Every revocation whose sessions may still hold unexpired tokens. */
  public Future<List<Revocation>> live() {
    return pool.query(LIVE).execute().map(RevocationStore::all);
  }

  public Future<Long> head() {
    return pool.query(HEAD).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  private static Optional<Revocation> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(map(it.next())) : Optional.empty();
  }

  private static List<Revocation> all(RowSet<Row> rows) {
    List<Revocation> list = new ArrayList<>();
    rows.forEach(r -> list.add(map(r)));
    return list;
  }

  private static Revocation map(Row r) {
    return new Revocation(r.getLong("seq"), List.of(r.getArrayOfUUIDs("session_ids")),
        RevocationReason.fromLabel(r.getString("reason")), Rows.instant(r, "revoked_at"), Rows.instant(r, "expires_at"),
        r.getString("origin"));
  }
}
