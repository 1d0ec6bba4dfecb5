package dev.tessera.store;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.Session;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.TokenRecord;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/** Sessions and their tokens. Tokens are addressed only by {@link TokenHash}. */
public final class TokenStore {
  /**
   * Only for a client that still exists, and holding its row until commit: a client delete waits for this
   * sign-in and then revokes its session too, and a sign-in after the delete stores nothing. So a token
   * minted on a node that has not yet heard of the deletion is never left alive.
   */
  private static final String INSERT_SESSION = "insert into sessions (id, user_id, client_id, device, scopes, created_at, expires_at) "
      + "select $1, $2, $3, $4, $5, $6, $7 where exists (select 1 from clients where client_id = $3 for key share)";
  private static final String INSERT_TOKEN = "insert into tokens (hash, id, session_id, kind, scopes, issued_at, expires_at) "
      + "values ($1, $2, $3, $4, $5, $6, $7)";
  private static final String RECORD_COLUMNS = "t.id, t.kind, t.session_id, s.user_id, u.username, s.client_id, t.scopes, "
      + "t.issued_at, t.expires_at, s.expires_at as session_expires_at, t.used_at is not null as used, "
      + "(s.revoked_at is not null or coalesce(u.disabled, false) or c.client_id is null) as revoked "
      + "from tokens t join sessions s on s.id = t.session_id left join users u on u.id = s.user_id "
      // A token is only ever as alive as its client: a deleted client's tokens are inactive everywhere.
      + "left join clients c on c.client_id = s.client_id ";
  private static final String RECORD = "select " + RECORD_COLUMNS + "where t.hash = $1";
  /**
   * The live access tokens of the sessions used most recently, anywhere in the cluster: what a restarted
   * node is about to be asked about. Live access tokens are the last access-TTL's worth of issues, a range
   * of tokens_by_expiry.
   */
  private static final String RECENTLY_USED = "select t.hash, " + RECORD_COLUMNS
      + "where t.kind = 'access' and t.expires_at > now() and s.revoked_at is null and s.last_used_at is not null "
      + "order by s.last_used_at desc limit $1";
  /**
   * The database's own clock, at full precision, unlike the whole seconds of issued_at/expires_at: the
   * grace check below orders the uses along one chain, and a fast client rotates several times a second.
   */
  private static final String MARK_USED = "update tokens set used_at = clock_timestamp() where hash = $1";
  /**
   * Whether a used refresh token may still be renewed once (TESSERA_REFRESH_REUSE_GRACE): used within
   * the last {@code $2} ms by the database's clock (the one that stamped the use), never replayed before, and its successor not used yet — the replaying party is then at
   * worst racing the one that lost the answer, never a party further down the chain.
   */
  private static final String IN_GRACE = "select t.grace_closed_at is null "
      + "and t.used_at >= clock_timestamp() - $2 * interval '1 millisecond' and not exists "
      + "(select 1 from tokens o where o.session_id = t.session_id and o.kind = 'refresh' and o.used_at > t.used_at) "
      + "from tokens t where t.hash = $1";
  /**
   * A renewal within the grace window closes it: for the replayed token, and for the successor whose
   * answer was lost, which is spent — whoever presents that successor later holds a copy the client never
   * got, and reuse detection revokes the family.
   */
  private static final String CLOSE_GRACE = "update tokens set grace_closed_at = clock_timestamp(), "
      + "used_at = coalesce(used_at, clock_timestamp()) "
      + "where session_id = $1 and kind = 'refresh' and (hash = $2 or used_at is null)";
  /** A refresh also narrows the session to what it still grants, so the sessions list and scope removals see it. */
  private static final String EXTEND_SESSION = "update sessions set expires_at = greatest(expires_at, $2), scopes = $3 "
      + "where id = $1";
  /**
   * The refresh token's owner as of now, share-locked for the rotation's transaction. Taken before the
   * token row, in the same order as an admin's user change (user row, then sessions), so the two
   * serialise: a refresh either commits first and its new tokens fall under the change's revocation, or
   * it waits and sees the changed user and the revoked session.
   */
  private static final String OWNER_NOW = "select u.scopes, u.disabled from users u where u.id = "
      + "(select s.user_id from tokens t join sessions s on s.id = t.session_id where t.hash = $1) for share";
  /**
   * The user a sign-in authenticated is still the user now (same password hash, enabled, still holding
   * the scopes granted), share-locked until the session is stored: a password change or demotion that
   * commits while the password is being checked cannot leave a session behind its revocation.
   */
  private static final String SIGNER_UNCHANGED = "select 1 from users where id = $1 and password_hash = $2 "
      + "and not disabled and scopes @> $3::text[] for share";
  private static final String LIVE_SESSIONS = "select id, user_id, client_id, device, scopes, created_at, last_used_at, expires_at "
      + "from sessions where user_id = $1 and revoked_at is null and expires_at > now() order by created_at desc";
  private static final String SESSION_OWNER = "select s.user_id, u.username, s.client_id from sessions s "
      + "left join users u on u.id = s.user_id where s.id = $1";
  private static final String TOUCH = "update sessions s set last_used_at = greatest(s.last_used_at, v.t) "
      + "from unnest($1::uuid[], $2::timestamptz[]) as v(id, t) where s.id = v.id";

  private final Pool pool;
  private final ClientSessionWriter clientSessions;

  public TokenStore(Pool pool) {
    this.pool = pool;
    this.clientSessions = new ClientSessionWriter(pool);
  }

  /**
   * Stores a new session and its first tokens atomically. For a user's session, {@code passwordHash} is
   * the hash the sign-in was checked against; returns false, storing nothing, when the user has changed
   * since (see {@link #SIGNER_UNCHANGED}).
   */
  public Future<Boolean> createSession(Session session, String passwordHash, List<NewToken> tokens) {
    if (session.userId() == null) {
      return createClientSession(session, tokens);
    }
    return pool.withTransaction(tx -> signerUnchanged(tx, session, passwordHash).compose(unchanged -> !unchanged
        ? Future.succeededFuture(false)
        : tx.preparedQuery(INSERT_SESSION)
            .execute(Tuple.of(session.id(), session.userId(), session.clientId(), session.device(),
                session.scopes().toArray(), Rows.timestamp(session.createdAt()), Rows.timestamp(session.expiresAt())))
            .compose(r -> r.rowCount() == 0 ? Future.failedFuture(new ClientGone()) : insertTokens(tx, session.id(), tokens))
            .map(true)));
  }

  /** A session without a user (client_credentials): written with others arriving at the same time. */
  private Future<Boolean> createClientSession(Session session, List<NewToken> tokens) {
    return clientSessions.write(session, tokens).map(true);
  }

  private static Future<Boolean> signerUnchanged(SqlClient tx, Session session, String passwordHash) {
    if (session.userId() == null) {
      return Future.succeededFuture(true);
    }
    return tx.preparedQuery(SIGNER_UNCHANGED)
        .execute(Tuple.of(session.userId(), passwordHash, session.scopes().toArray()))
        .map(rows -> rows.size() == 1);
  }

  private static Future<Void> insertTokens(SqlClient client, UUID sessionId, List<NewToken> tokens) {
    List<Tuple> batch = new ArrayList<>();
    for (NewToken t : tokens) {
      batch.add(Tuple.of(Buffer.buffer(t.hash().bytes()), t.id(), sessionId, t.kind().dbName(), t.scopes().toArray(),
          Rows.timestamp(t.issuedAt()), Rows.timestamp(t.expiresAt())));
    }
    return client.preparedQuery(INSERT_TOKEN).executeBatch(batch).mapEmpty();
  }

  public Future<Optional<TokenRecord>> findByHash(TokenHash hash) {
    return findByHash(pool, hash);
  }

  private static Future<Optional<TokenRecord>> findByHash(SqlClient client, TokenHash hash) {
    return client.preparedQuery(RECORD).execute(Tuple.of(Buffer.buffer(hash.bytes()))).map(TokenStore::first);
  }

  /** A token's lookup hash and what the lookup by that hash would return. */
  public record Found(TokenHash hash, TokenRecord record) {
  }

  /** Up to {@code limit} of the live access tokens whose sessions were used last ({@link #RECENTLY_USED}). */
  public Future<List<Found>> recentlyUsed(int limit) {
    return pool.preparedQuery(RECENTLY_USED).execute(Tuple.of(limit)).map(rows -> {
      List<Found> found = new ArrayList<>(rows.size());
      for (Row r : rows) {
        found.add(new Found(new TokenHash(r.getBuffer("hash").getBytes()), record(r)));
      }
      return found;
    });
  }

  /**
   * Rotates a refresh token (RFC 6749 §6, OAuth 2.0 Security BCP §4.14): the presented token is marked
   * used and its replacements join its session, all in one transaction under row locks, so two concurrent
   * presentations of the same token cannot both succeed. {@code replace} decides the replacements from
   * the token and its owner's scopes as they are now; when it fails, nothing is written. A used token is
   * renewed instead of reported as reused only within {@code grace} of its use (see {@link #IN_GRACE}).
   */
  public Future<Rotation> rotate(TokenHash presented, Instant now, Duration grace,
                                 BiFunction<TokenRecord, Scopes, Future<Replacement>> replace) {
    Buffer hash = Buffer.buffer(presented.bytes());
    Tuple byHash = Tuple.of(hash);
    return pool.withTransaction(tx -> tx.preparedQuery(OWNER_NOW).execute(byHash).compose(owners -> {
      if (owners.size() != 1) {
        // Unknown token, a client's own session (never refreshable), or its user is gone.
        return Future.succeededFuture(new Rotation.Rejected());
      }
      Row owner = owners.iterator().next();
      Scopes ownerScopes = Rows.scopes(owner, "scopes");
      boolean ownerDisabled = owner.getBoolean("disabled");
      // The session row too: a revocation of it waits for this rotation's new tokens (see RevocationStore).
      return tx.preparedQuery(RECORD + " for update of t, s").execute(byHash).map(TokenStore::first).compose(found -> {
        if (found.isEmpty()) {
          return Future.succeededFuture(new Rotation.Rejected());
        }
        TokenRecord previous = found.get();
        if (previous.kind() != TokenKind.REFRESH || previous.revoked() || ownerDisabled
            || !previous.expiresAt().isAfter(now)) {
          return Future.succeededFuture(new Rotation.Rejected());
        }
        if (!previous.used()) {
          return renew(tx, previous, ownerScopes, replace, tx.preparedQuery(MARK_USED).execute(byHash));
        }
        Future<Boolean> inGrace = grace.isZero() ? Future.succeededFuture(false)
            : tx.preparedQuery(IN_GRACE).execute(Tuple.of(hash, grace.toMillis()))
                .map(rows -> rows.iterator().next().getBoolean(0));
        return inGrace.compose(allowed -> !allowed ? Future.succeededFuture(new Rotation.Reused(previous))
            : renew(tx, previous, ownerScopes, replace, tx.preparedQuery(CLOSE_GRACE)
                .execute(Tuple.of(previous.sessionId(), hash))));
      });
    }));
  }

  /** Spends the presented token ({@code spend}), then stores its replacements in its session. */
  private static Future<Rotation> renew(SqlClient tx, TokenRecord previous, Scopes ownerScopes,
                                        BiFunction<TokenRecord, Scopes, Future<Replacement>> replace,
                                        Future<RowSet<Row>> spend) {
    return spend.compose(spent -> replace.apply(previous, ownerScopes))
        .compose(replacement -> tx.preparedQuery(EXTEND_SESSION).execute(Tuple.of(previous.sessionId(),
                Rows.timestamp(replacement.sessionExpiresAt()), replacement.sessionScopes().toArray()))
            .compose(r -> insertTokens(tx, previous.sessionId(), replacement.tokens())))
        .map(v -> new Rotation.Rotated(previous));
  }

  public Future<List<Session>> liveSessions(UUID userId) {
    return pool.preparedQuery(LIVE_SESSIONS).execute(Tuple.of(userId)).map(rows -> {
      List<Session> sessions = new ArrayList<>();
      for (Row r : rows) {
        sessions.add(new Session(r.getUUID("id"), r.getUUID("user_id"), r.getString("client_id"), r.getString("device"),
            Rows.scopes(r, "scopes"), Rows.instant(r, "created_at"), Rows.instant(r, "last_used_at"),
            Rows.instant(r, "expires_at")));
      }
      return sessions;
    });
  }

  /** Who a session belongs to; {@code userId} and {@code username} are null for client_credentials. */
  public record SessionOwner(UUID userId, String username, String clientId) {
  }

  /** Who owns a session; empty when there is no such session. */
  public Future<Optional<SessionOwner>> sessionOwner(UUID sessionId) {
    return pool.preparedQuery(SESSION_OWNER).execute(Tuple.of(sessionId)).map(rows -> {
      var it = rows.iterator();
      if (!it.hasNext()) {
        return Optional.empty();
      }
      Row r = it.next();
      return Optional.of(new SessionOwner(r.getUUID("user_id"), r.getString("username"), r.getString("client_id")));
    });
  }

  /** Writes many sessions' last-used times in one statement (the batched, lazy write of DESIGN §2). */
  public Future<Void> touch(Map<UUID, Instant> lastUsed) {
    if (lastUsed.isEmpty()) {
      return Future.succeededFuture();
    }
    UUID[] ids = new UUID[lastUsed.size()];
    java.time.OffsetDateTime[] times = new java.time.OffsetDateTime[lastUsed.size()];
    int i = 0;
    for (var e : lastUsed.entrySet()) {
      ids[i] = e.getKey();
      times[i++] = Rows.timestamp(e.getValue());
    }
    return pool.preparedQuery(TOUCH).execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfOffsetDateTime(times)).mapEmpty();
  }

  private static Optional<TokenRecord> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(record(it.next())) : Optional.empty();
  }

  private static TokenRecord record(Row r) {
    return new TokenRecord(r.getUUID("id"), TokenKind.fromDb(r.getString("kind")), r.getUUID("session_id"),
        r.getUUID("user_id"), r.getString("username"), r.getString("client_id"), Rows.scopes(r, "scopes"),
        Rows.instant(r, "issued_at"), Rows.instant(r, "expires_at"), Rows.instant(r, "session_expires_at"),
        r.getBoolean("revoked"), r.getBoolean("used"));
  }
}
