package dev.tessera.http;

import dev.tessera.Services;
import dev.tessera.domain.Scopes;
import dev.tessera.metrics.TesseraMetrics.Endpoint;
import dev.tessera.token.CachedToken;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Forward authentication for reverse proxies (nginx {@code auth_request}, Traefik ForwardAuth, Envoy
 * ext_authz): the proxy passes the caller's Authorization header and gets 200 with identity headers,
 * 401 or 403 in RFC 6750 §3 form.
 */
final class VerifyRoute {
  private static final Logger log = LoggerFactory.getLogger(VerifyRoute.class);
  private static final String CHALLENGE = "Bearer realm=\"tessera\"";
  private static final String INVALID = CHALLENGE + ", error=\"invalid_token\", error_description=\"the access token is invalid, expired or revoked\"";
  // A rejected token never becomes valid again, but the header may change: gateways may cache a 401 briefly.
  private static final String REJECTION_CACHE = "max-age=1";

  private final Services services;
  private final Clock clock;
  private final long boundSeconds;

  VerifyRoute(Services services, Clock clock) {
    this.services = services;
    this.clock = clock;
    this.boundSeconds = Math.max(0, services.config().catchupInterval().toSeconds());
  }

  void mount(Router router) {
    router.get("/auth/verify").handler(this::verify);
  }

  private void verify(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    Scopes required;
    try {
      required = Scopes.parse(ctx.request().getParam("scope"));
    } catch (IllegalArgumentException e) {
      response.setStatusCode(400).putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE)
          .end("scope query parameter is malformed");
      return;
    }
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null || authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      // RFC 6750 §3.1: no credentials at all gets a bare challenge without an error code.
      reject(response, 401, authorization == null ? CHALLENGE : INVALID);
      return;
    }
    String token = authorization.substring(7).strip();
    services.verifier().verify(token, Endpoint.VERIFY).onSuccess(v -> {
      if (!v.active()) {
        reject(response, 401, INVALID);
        return;
      }
      CachedToken t = v.token();
      if (!t.scopes().containsAll(required)) {
        reject(response, 403, CHALLENGE + ", error=\"insufficient_scope\", scope=\"" + required + "\"");
        return;
      }
      // Gateways may cache this answer only as long as Tessera itself could be stale (DESIGN §5.5).
      // Not "private": nginx's proxy_cache, keyed on the Authorization header, is the intended reader;
      // generic shared caches already refuse to store answers to requests that carry Authorization
      // (RFC 9111 §3.5).
      long remaining = Math.max(0, t.expiresAt() - clock.millis() / 1000);
      response.putHeader("X-Auth-Subject", t.subject())
          .putHeader("X-Auth-Client-Id", t.clientId())
          .putHeader("X-Auth-Scope", t.scopes().toString())
          .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=" + Math.min(boundSeconds, remaining));
      if (t.username() != null) {
        response.putHeader("X-Auth-Username", headerValue(t.username()));
      }
      response.setStatusCode(200).end();
    }).onFailure(e -> {
      log.warn("verification unavailable: {}", e.toString());
      response.setStatusCode(503).putHeader(HttpHeaders.RETRY_AFTER, "1")
          .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE).end();
    });
  }

  /**
   * HTTP/1.1 header values are Latin-1 at best: a username such as "李雷@example.com" would reach the
   * API as "??@example.com", and two users could look alike. Anything outside printable ASCII (and
   * "%" itself) is therefore sent percent-encoded as UTF-8 (RFC 3986 §2.1); plain ASCII usernames,
   * e-mail addresses included, pass unchanged.
   */
  static String headerValue(String value) {
    boolean plain = value.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '%');
    if (plain) {
      return value;
    }
    StringBuilder encoded = new StringBuilder(value.length() * 3);
    for (byte b : value.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }

  private static void reject(HttpServerResponse response, int status, String challenge) {
    response.setStatusCode(status)
        .putHeader("WWW-Authenticate", challenge)
        .putHeader(HttpHeaders.CACHE_CONTROL, REJECTION_CACHE)
        .end();
  }
}
