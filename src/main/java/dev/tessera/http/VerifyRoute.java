package dev.tessera.http;

import dev.tessera.domain.Scopes;
import dev.tessera.gateway.Decision;
import dev.tessera.gateway.Gatekeeper;
import dev.tessera.gateway.OriginalRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;

/**
 * The HTTP doors of forward authentication (DESIGN.md §8): {@code GET /auth/verify} for nginx,
 * ingress-nginx, Traefik and Caddy, and any method on {@code /auth/verify/<original path>} for Envoy's
 * HTTP ext_authz, Istio and Gateway API. Both end in the same {@link Gatekeeper} decision and the same
 * RFC 6750 §3 answers. {@link #handle} needs only the request, so it can also sit in front of the router.
 */
final class VerifyRoute {
  static final String PATH = "/auth/verify";
  /** A scope list the gateway adds for a route, on doors where the query string is the client's own. */
  static final String SCOPE_HEADER = "X-Tessera-Scope";
  private static final String CHALLENGE = "Bearer realm=\"tessera\"";
  private static final String INVALID = CHALLENGE + ", error=\"invalid_token\", error_description=\"the access token is invalid, expired or revoked\"";
  // A rejected token never becomes valid again, but the header may change: gateways may cache a 401 briefly.
  private static final String REJECTION_CACHE = "max-age=1";

  private final Gatekeeper gatekeeper;

  VerifyRoute(Gatekeeper gatekeeper) {
    this.gatekeeper = gatekeeper;
  }

  void mount(Router router) {
    // Any method on the bare path too: a gateway forwarding the request body (Traefik's forwardBody)
    // may call it with the original method; the X-Forwarded-*/X-Original-* headers still decide.
    router.route(PATH).handler(ctx -> handle(ctx.request()));
    router.route(PATH + "/*").handler(ctx -> handle(ctx.request()));
  }

  void handle(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    boolean prefixed = request.path().length() > PATH.length();
    OriginalRequest original = prefixed ? OriginalRequests.prefixed(request, PATH.length())
        : OriginalRequests.forwarded(request);
    Scopes required;
    try {
      Scopes header = Scopes.parse(request.getHeader(SCOPE_HEADER));
      // Behind Envoy the query string is the original request's: a client's own ?scope= is not the gateway's.
      Scopes query = prefixed || request.query() == null ? Scopes.NONE : Scopes.parse(request.getParam("scope"));
      required = header.isEmpty() ? query : query.isEmpty() ? header : Scopes.parse(header + " " + query);
    } catch (IllegalArgumentException e) {
      response.setStatusCode(400).putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE)
          .end("required scopes (scope query parameter or " + SCOPE_HEADER + " header) are malformed");
      return;
    }
    gatekeeper.decide(original, request.getHeader(HttpHeaders.AUTHORIZATION), required)
        .onSuccess(d -> respond(response, d));
  }

  private static void respond(HttpServerResponse response, Decision d) {
    switch (d.outcome()) {
      case ALLOW -> {
        d.identity(response::putHeader);
        // Not "private": nginx's proxy_cache, keyed on the Authorization header, is the intended reader;
        // generic shared caches already refuse to store answers to requests that carry Authorization
        // (RFC 9111 §3.5).
        response.putHeader(HttpHeaders.CACHE_CONTROL, "max-age=" + d.maxAgeSeconds()).setStatusCode(200).end();
      }
      case NO_TOKEN -> reject(response, 401, CHALLENGE);
      case INVALID_TOKEN -> reject(response, 401, INVALID);
      case INSUFFICIENT_SCOPE -> reject(response, 403, insufficientScope(d.required()));
      case DENIED -> response.setStatusCode(403).putHeader(HttpHeaders.CACHE_CONTROL, REJECTION_CACHE).end();
      case UNAVAILABLE -> response.setStatusCode(503).putHeader(HttpHeaders.RETRY_AFTER, "1")
          .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE).end();
    }
  }

  static String insufficientScope(Scopes required) {
    return CHALLENGE + ", error=\"insufficient_scope\", scope=\"" + required + "\"";
  }

  static String challenge(Decision.Outcome outcome) {
    return outcome == Decision.Outcome.NO_TOKEN ? CHALLENGE : INVALID;
  }

  private static void reject(HttpServerResponse response, int status, String challenge) {
    response.setStatusCode(status)
        .putHeader("WWW-Authenticate", challenge)
        .putHeader(HttpHeaders.CACHE_CONTROL, REJECTION_CACHE)
        .end();
  }
}
