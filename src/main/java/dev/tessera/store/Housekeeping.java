package dev.tessera.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * Deletes what can no longer matter, so the tables do not grow for ever: tokens, sessions and
 * revocation-log rows that expired before a cut-off, and audit events older than their retention
 * (TESSERA_AUDIT_RETENTION). An expired token is refused whether or not its
 * row exists, and a revocation is only needed while a token it covers could still be accepted. Each
 * statement removes at most one batch, so a run never holds long locks; every node may run it.
 */
public final class Housekeeping {
  static final int BATCH = 10_000;
  private static final String TOKENS = "delete from tokens where hash in "
      + "(select hash from tokens where expires_at < $1 limit " + BATCH + ")";
  // Deleting a session deletes its remaining tokens (on delete cascade).
  private static final String SESSIONS = "delete from sessions where id in "
      + "(select id from sessions where expires_at < $1 limit " + BATCH + ")";
  private static final String REVOCATIONS = "delete from revocations where seq in "
      + "(select seq from revocations where expires_at < $1 limit " + BATCH + ")";

  // Authorization codes live a minute; a spent or expired one only matters for replay detection, which
  // the day of grace before the cut-off covers.
  private static final String CODES = "delete from authorization_codes where hash in "
      + "(select hash from authorization_codes where expires_at < $1 limit " + BATCH + ")";

  private static final String AUDIT = "delete from audit_events where id in "
      + "(select id from audit_events where at < $1 limit " + BATCH + ")";

  /** How many rows one run removed. */
  public record Purged(int tokens, int sessions, int revocations, int codes) {
  }

  private final Pool pool;

  public Housekeeping(Pool pool) {
    this.pool = pool;
  }

  /** Removes one batch of audit events recorded before {@code cutoff}; returns how many. */
  public Future<Integer> purgeAuditBefore(Instant cutoff) {
    return pool.preparedQuery(AUDIT).execute(before(cutoff)).map(rows -> rows.rowCount());
  }

  private static Tuple before(Instant cutoff) {
    return Tuple.of(OffsetDateTime.ofInstant(cutoff, java.time.ZoneOffset.UTC));
  }

  /** Removes one batch of each kind of row that expired before {@code cutoff}. */
  public Future<Purged> purgeExpiredBefore(Instant cutoff) {
    Tuple before = before(cutoff);
    return pool.preparedQuery(TOKENS).execute(before).compose(tokens ->
        pool.preparedQuery(SESSIONS).execute(before).compose(sessions ->
            pool.preparedQuery(REVOCATIONS).execute(before).compose(revocations ->
                pool.preparedQuery(CODES).execute(before).map(codes ->
                    new Purged(tokens.rowCount(), sessions.rowCount(), revocations.rowCount(), codes.rowCount())))));
  }
}
