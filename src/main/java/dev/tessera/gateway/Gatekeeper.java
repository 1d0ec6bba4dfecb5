package dev.tessera.gateway;

import dev.tessera.domain.Scopes;
import dev.tessera.gateway.Decision.Outcome;
import dev.tessera.metrics.TesseraMetrics.Endpoint;
import dev.tessera.token.CachedToken;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.Verification;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one decision behind every gateway door (DESIGN.md §8): the route policy picks what the original
 * request needs, the token verifier says what the token is, and the answer is allow (with identity),
 * 401, 403 or 503. Doors only translate their gateway's convention into an {@link OriginalRequest} and
 * the {@link Decision} back into their wire format.
 */
public final class Gatekeeper {
  private static final Logger log = LoggerFactory.getLogger(Gatekeeper.class);
  private static final int BEARER_PREFIX = "Bearer ".length();

  private final TokenVerifier verifier;
  private final Supplier<RoutePolicy> policy;
  private final GatewayMetrics metrics;
  private final Clock clock;
  private final long boundSeconds;

  public Gatekeeper(TokenVerifier verifier, Supplier<RoutePolicy> policy, GatewayMetrics metrics, Clock clock,
                    Duration staleness) {
    this.verifier = verifier;
    this.policy = policy;
    this.metrics = metrics;
    this.clock = clock;
    this.boundSeconds = Math.max(0, staleness.toSeconds());
  }

  /**
   * @param authorization the caller's Authorization header as the gateway passed it, or null
   * @param gatewayScopes scopes the gateway requires for this route, added to the rule's
   */
  public Future<Decision> decide(OriginalRequest request, String authorization, Scopes gatewayScopes) {
    long started = System.nanoTime();
    PolicyRule rule = policy.get().match(request);
    Access access = rule.access();
    if (access == Access.DENY) {
      metrics.deniedByPolicy(System.nanoTime() - started);
      return done(new Decision(Outcome.DENIED, access, null, Scopes.NONE, 0));
    }
    Scopes required = union(rule.scopes(), gatewayScopes);
    // A gateway that asks for scopes asks for a token, whatever the rule says: the stricter side wins.
    boolean tokenNeeded = access == Access.AUTHENTICATED || !required.isEmpty();
    String token = bearer(authorization);
    if (token == null) {
      if (!tokenNeeded) {
        metrics.anonymousWithoutToken(System.nanoTime() - started);
        return done(new Decision(Outcome.ALLOW, access, null, required, boundSeconds));
      }
      metrics.noToken(System.nanoTime() - started);
      // RFC 6750 §3.1: no credentials at all gets a bare challenge; other schemes are an invalid token.
      return done(new Decision(authorization == null ? Outcome.NO_TOKEN : Outcome.INVALID_TOKEN, access, null,
          required, 0));
    }
    Future<Verification> verified = verifier.verify(token, Endpoint.VERIFY);
    if (verified.succeeded()) {
      // Decided in memory (a cache hit, or a malformed or forged token): no future combinators to chain.
      return done(decision(verified.result(), access, required, tokenNeeded));
    }
    return verified.map(v -> decision(v, access, required, tokenNeeded)).otherwise(e -> {
      log.warn("verification unavailable: {}", e.toString());
      return new Decision(Outcome.UNAVAILABLE, access, null, required, 0);
    }).andThen(ar -> metrics.decided(ar.result()));
  }

  private Decision decision(Verification v, Access access, Scopes required, boolean tokenNeeded) {
    if (!v.active()) {
      return tokenNeeded ? new Decision(Outcome.INVALID_TOKEN, access, null, required, 0)
          : new Decision(Outcome.ALLOW, access, null, required, boundSeconds);
    }
    CachedToken t = v.token();
    if (!t.scopes().containsAll(required)) {
      return new Decision(Outcome.INSUFFICIENT_SCOPE, access, null, required, 0);
    }
    // Gateways may reuse this answer only as long as Tessera itself could be stale (DESIGN §5.5).
    long remaining = Math.max(0, t.expiresAt() - clock.millis() / 1000);
    return new Decision(Outcome.ALLOW, access, t, required, Math.min(boundSeconds, remaining));
  }

  private Future<Decision> done(Decision d) {
    metrics.decided(d);
    return Future.succeededFuture(d);
  }

  /** The bearer token, or null when there is none or the header is not a bearer credential. */
  private static String bearer(String authorization) {
    if (authorization == null || authorization.length() <= BEARER_PREFIX
        || !authorization.regionMatches(true, 0, "Bearer ", 0, BEARER_PREFIX)) {
      return null;
    }
    String token = authorization.substring(BEARER_PREFIX).strip();
    return token.isEmpty() ? null : token;
  }

  private static Scopes union(Scopes rule, Scopes gateway) {
    if (gateway.isEmpty()) {
      return rule;
    }
    if (rule.isEmpty()) {
      return gateway;
    }
    return Scopes.parse(rule + " " + gateway);
  }
}
