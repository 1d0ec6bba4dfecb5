package dev.tessera.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** The headers every answer carries, whether it went through the router or a {@link HotPaths} shortcut. */
final class SecurityHeaders {
  /** A year, the common floor for HSTS preload lists; no includeSubDomains: Tessera does not own the domain. */
  private static final CharSequence HSTS = HttpHeaders.createOptimized("max-age=31536000");
  // Pre-encoded (AsciiString): set on every answer, so they are neither validated nor encoded per request.
  private static final CharSequence CONTENT_TYPE_OPTIONS = HttpHeaders.createOptimized("X-Content-Type-Options");
  private static final CharSequence NOSNIFF = HttpHeaders.createOptimized("nosniff");
  private static final CharSequence REFERRER_POLICY = HttpHeaders.createOptimized("Referrer-Policy");
  private static final CharSequence NO_REFERRER = HttpHeaders.createOptimized("no-referrer");
  private static final CharSequence FRAME_OPTIONS = HttpHeaders.createOptimized("X-Frame-Options");
  private static final CharSequence DENY = HttpHeaders.createOptimized("DENY");
  private static final CharSequence STRICT_TRANSPORT_SECURITY = HttpHeaders.createOptimized("Strict-Transport-Security");

  private final boolean overTls;

  SecurityHeaders(boolean overTls) {
    this.overTls = overTls;
  }

  void apply(HttpServerResponse response) {
    response.headers()
        .set(CONTENT_TYPE_OPTIONS, NOSNIFF)
        .set(REFERRER_POLICY, NO_REFERRER)
        .set(FRAME_OPTIONS, DENY);
    if (overTls) {
      // RFC 6797: browsers (the admin panel) never fall back to plain HTTP, where a bearer token
      // could be read off the wire. Only sent over TLS, as §7.2 requires.
      response.headers().set(STRICT_TRANSPORT_SECURITY, HSTS);
    }
  }
}
