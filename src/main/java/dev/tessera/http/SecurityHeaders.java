package dev.tessera.http;

import io.vertx.core.http.HttpServerResponse;

/** The headers every answer carries, whether it went through the router or a {@link HotPaths} shortcut. */
final class SecurityHeaders {
  /** A year, the common floor for HSTS preload lists; no includeSubDomains: Tessera does not own the domain. */
  private static final String HSTS = "max-age=31536000";

  private final boolean overTls;

  SecurityHeaders(boolean overTls) {
    this.overTls = overTls;
  }

  void apply(HttpServerResponse response) {
    response.headers()
        .set("X-Content-Type-Options", "nosniff")
        .set("Referrer-Policy", "no-referrer")
        .set("X-Frame-Options", "DENY");
    if (overTls) {
      // RFC 6797: browsers (the admin panel) never fall back to plain HTTP, where a bearer token
      // could be read off the wire. Only sent over TLS, as §7.2 requires.
      response.headers().set("Strict-Transport-Security", HSTS);
    }
  }
}
