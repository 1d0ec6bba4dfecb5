package dev.tessera.store;

import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.Scopes;
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
 * The append-only revocation log. A revoke ends the sessions and appends the log row in the caller's
 * transaction, so a revocation is either wholly durable or did not happen.
 *
 * <p>A row's {@code expires_at} is how long nodes must remember it: the latest expiry among the revoked
 * sessions' access tokens (only access tokens are ever answered "active" from a cache; refresh tokens are
 * always checked in the database). It is read from the tokens themselves, not derived from this node's
 * {@code TESSERA_ACCESS_TTL}, so during a rolling change of that setting a token minted with the longer
 * lifetime is still covered. It is read by a second statement, after the sessions are locked and marked:
 * a refresh that was rotating one of them (it holds the session row) has committed its new access token
 * by then, and a later one sees the session revoked.
 */
public final class RevocationStore {
  private static final String END = "update sessions set revoked_at = clock_timestamp() "
      + "where %s and revoked_at is null returning id";
  private static final String BY_SESSIONS = END.formatted("id = any($1::uuid[])");
  private static final String BY_USER = END.formatted("user_id = $1");
  private static final String BY_CLIENT = END.formatted("client_id = $1");
  private static final String BY_USER_BEYOND = END.formatted("user_id = $1 and not (scopes <@ $2::text[])");
  private static final String COLUMNS = "seq, session_ids, reason, revoked_at, expires_at, origin, client_id";
  private static final String APPEND = "insert into revocations (session_ids, reason, expires_at, origin, client_id) "
      + "select $1::uuid[], $2, greatest(clock_timestamp(), (select max(t.expires_at) from tokens t "
      + "where t.session_id = any($1::uuid[]) and t.kind = 'access')), $3, $4 returning " + COLUMNS;
  private static final String AFTER = "select " + COLUMNS + " from revocations "
      + "where seq > $1 or seq = any($2::bigint[]) order by seq limit 10000";
  private static final String LIVE = "select " + COLUMNS + " from revocations where expires_at > now() order by seq";
  private static final String HEAD = "select coalesce(max(seq), 0) from revocations";

  private final Pool pool;
  private final String origin;

  /** @param origin this node's id, recorded with every revocation it writes */
  public RevocationStore(Pool pool, String origin) {
    this.pool = pool;
    this.origin = origin;
  }

  public Pool pool() {
    return pool;
  }

  /** {@code tx} must be a transaction: the sessions are marked and the log row appended by two statements. */
  public Future<Optional<Revocation>> revokeSessions(SqlClient tx, List<UUID> sessionIds, RevocationReason reason) {
    return revoke(tx, BY_SESSIONS, Tuple.of(sessionIds.toArray(UUID[]::new)), reason, null);
  }

  public Future<Optional<Revocation>> revokeUser(SqlClient tx, UUID userId, RevocationReason reason) {
    return revoke(tx, BY_USER, Tuple.of(userId), reason, null);
  }

  /** Ends the user's sessions that hold any scope outside {@code kept}: what removing those scopes takes away. */
  public Future<Optional<Revocation>> revokeUserSessionsBeyond(SqlClient tx, UUID userId, Scopes kept,
                                                              RevocationReason reason) {
    return revoke(tx, BY_USER_BEYOND, Tuple.of(userId).addArrayOfString(kept.toArray()), reason, null);
  }

  /**
   * Ends every session of a client that is being deleted; the log row also names the client, so every
   * node forgets it — written even when it had no live sessions. Run it after the client row's delete in
   * the same transaction: the delete waits for sign-ins holding that row (see TokenStore), so their sessions
   * are committed and seen here.
   */
  public Future<Optional<Revocation>> revokeClient(SqlClient tx, String clientId, RevocationReason reason) {
    return revoke(tx, BY_CLIENT, Tuple.of(clientId), reason, clientId);
  }

  /** A client's secret or rights changed: no session ends, but every node must forget its cached copy. */
  public Future<Optional<Revocation>> clientChanged(SqlClient tx, String clientId) {
    return append(tx, List.of(), RevocationReason.ADMIN, clientId);
  }

  private Future<Optional<Revocation>> revoke(SqlClient tx, String end, Tuple which, RevocationReason reason,
                                              String clientId) {
    return tx.preparedQuery(end).execute(which).compose(ended -> {
      List<UUID> ids = new ArrayList<>(ended.rowCount());
      ended.forEach(row -> ids.add(row.getUUID(0)));
      return ids.isEmpty() && clientId == null ? Future.succeededFuture(Optional.empty())
          : append(tx, ids, reason, clientId);
    });
  }

  private Future<Optional<Revocation>> append(SqlClient tx, List<UUID> ids, RevocationReason reason, String clientId) {
    return tx.preparedQuery(APPEND).execute(Tuple.of(ids.toArray(UUID[]::new), reason.label(), origin, clientId))
        .map(RevocationStore::first);
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
        r.getString("origin"), r.getString("client_id"));
  }
}
