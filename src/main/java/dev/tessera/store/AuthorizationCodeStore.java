package dev.tessera.store;

import dev.tessera.domain.AuthorizationCode;
import dev.tessera.domain.TokenHash;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Authorization codes, stored only as SHA-256(code). */
public final class AuthorizationCodeStore {
  private static final String INSERT = "insert into authorization_codes "
      + "(hash, client_id, redirect_uri, code_challenge, scopes, user_id, device, expires_at) "
      + "values ($1, $2, $3, $4, $5, $6, $7, $8)";
  private static final String BY_HASH = "select hash, client_id, redirect_uri, code_challenge, scopes, user_id, device, "
      + "expires_at, used_at, session_id from authorization_codes where hash = $1";
  // The conditional update is the single-use guarantee: of two concurrent exchanges exactly one matches.
  private static final String SPEND = "update authorization_codes set used_at = $3, session_id = $2 "
      + "where hash = $1 and used_at is null and expires_at > $3";

  private final Pool pool;

  public AuthorizationCodeStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> insert(AuthorizationCode code) {
    return pool.preparedQuery(INSERT).execute(Tuple.of(Buffer.buffer(code.hash().bytes()), code.clientId(),
        code.redirectUri(), code.codeChallenge(), code.scopes().toArray(), code.userId(), code.device(),
        Rows.timestamp(code.expiresAt()))).mapEmpty();
  }

  public Future<Optional<AuthorizationCode>> find(TokenHash hash) {
    return pool.preparedQuery(BY_HASH).execute(Tuple.of(Buffer.buffer(hash.bytes()))).map(rows -> {
      var it = rows.iterator();
      return it.hasNext() ? Optional.of(map(it.next())) : Optional.empty();
    });
  }

  /** Marks the code used by the session {@code sessionId}; false when it was already used or has expired. */
  public Future<Boolean> spend(TokenHash hash, UUID sessionId, Instant now) {
    return pool.preparedQuery(SPEND).execute(Tuple.of(Buffer.buffer(hash.bytes()), sessionId, Rows.timestamp(now)))
        .map(rows -> rows.rowCount() == 1);
  }

  private static AuthorizationCode map(Row r) {
    return new AuthorizationCode(new TokenHash(r.getBuffer("hash").getBytes()), r.getString("client_id"),
        r.getString("redirect_uri"), r.getString("code_challenge"), Rows.scopes(r, "scopes"), r.getUUID("user_id"),
        r.getString("device"), Rows.instant(r, "expires_at"), Rows.instant(r, "used_at"), r.getUUID("session_id"));
  }
}
