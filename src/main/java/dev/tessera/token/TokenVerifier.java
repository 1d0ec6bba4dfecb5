package dev.tessera.token;

import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.metrics.TesseraMetrics.Endpoint;
import dev.tessera.metrics.TesseraMetrics.Result;
import dev.tessera.metrics.TesseraMetrics.Source;
import io.vertx.core.Future;

import java.time.Clock;

/**
 * The hot path: format and tag check in memory, then the node cache, then the database. A cache hit
 * is trusted only while this node is fresh (caught up with the revocation log within its bound) and
 * only if the token's session is not among the known revocations. Misses go through {@link TokenReads}.
 */
public final class TokenVerifier {
  private final TokenCodec codec;
  private final VerificationCache cache;
  private final RevokedSessions revoked;
  private final Freshness freshness;
  private final TokenReads reads;
  private final LastUsedRecorder lastUsed;
  private final TesseraMetrics metrics;
  private final Clock clock;

  public TokenVerifier(TokenCodec codec, VerificationCache cache, RevokedSessions revoked, Freshness freshness,
                       TokenReads reads, LastUsedRecorder lastUsed, TesseraMetrics metrics, Clock clock) {
    this.codec = codec;
    this.cache = cache;
    this.revoked = revoked;
    this.freshness = freshness;
    this.reads = reads;
    this.lastUsed = lastUsed;
    this.metrics = metrics;
    this.clock = clock;
  }

  public Future<Verification> verify(String presented, Endpoint endpoint) {
    long started = System.nanoTime();
    if (!TokenCodec.hasTokenShape(presented)) {
      return Future.succeededFuture(invalid(endpoint, started));
    }
    TokenHash hash = TokenCodec.hash(presented);
    if (freshness.isFresh()) {
      // Only tokens that passed the tag check (or were minted here) are ever cached, under the hash of
      // their exact string: a hit is that string again, so it skips the tag check, a third of a hit's work.
      CachedToken cached = cache.get(hash);
      if (cached != null) {
        metrics.cacheLookup(true);
        return Future.succeededFuture(judge(hash, cached, Source.CACHE, endpoint, started));
      }
    }
    // Forged or mangled strings end here, in memory: they never cost a database read.
    if (!codec.authentic(presented)) {
      return Future.succeededFuture(invalid(endpoint, started));
    }
    metrics.cacheLookup(false);
    // Shared with concurrent misses for the same token, bounded, and cached by the time it completes.
    return reads.read(hash).map(token -> judge(hash, token, Source.DB, endpoint, started));
  }

  private Verification invalid(Endpoint endpoint, long started) {
    metrics.verification(endpoint, Result.INVALID, Source.CACHE, System.nanoTime() - started);
    return Verification.INVALID;
  }

  private Verification judge(TokenHash hash, CachedToken token, Source source, Endpoint endpoint, long started) {
    long nowMillis = clock.millis();
    Result result;
    // Refresh tokens are never "active" to a resource server or the admin API: they are only ever good
    // at the token endpoint, which checks them in the database. That also keeps RevokedSessions short-lived.
    if (token.isInactive() || token.kind() != TokenKind.ACCESS || token.expiresAt() * 1000 <= nowMillis) {
      result = Result.INACTIVE;
    } else if (revoked.contains(token.sessionId())) {
      cache.put(hash, CachedToken.INACTIVE);
      result = Result.INACTIVE;
    } else {
      result = Result.ACTIVE;
      lastUsed.record(token, nowMillis);
    }
    metrics.verification(endpoint, result, source, System.nanoTime() - started);
    return result == Result.ACTIVE ? new Verification(result, source, token) : new Verification(result, source, null);
  }
}
