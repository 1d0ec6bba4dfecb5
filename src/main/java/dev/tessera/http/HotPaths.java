package dev.tessera.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dispatch in front of the router for exactly the two requests resource servers and gateways send
 * thousands of times a second: {@code POST /oauth2/introspect} and {@code GET /auth/verify}. They need
 * nothing the router adds (route matching over every mounted route, a RoutingContext and its handler
 * chain per request), so they go straight to their handlers with the same security headers; every other
 * request, including other methods and sub-paths of those two, goes to the router unchanged.
 */
final class HotPaths implements Handler<HttpServerRequest> {
  private static final Logger log = LoggerFactory.getLogger(HotPaths.class);
  private static final String INTROSPECT = "/oauth2/introspect";

  private final SecurityHeaders headers;
  private final OAuthRoutes oauth;
  private final VerifyRoute verify;
  private final Handler<HttpServerRequest> everythingElse;

  HotPaths(SecurityHeaders headers, OAuthRoutes oauth, VerifyRoute verify, Handler<HttpServerRequest> everythingElse) {
    this.headers = headers;
    this.oauth = oauth;
    this.verify = verify;
    this.everythingElse = everythingElse;
  }

  @Override
  public void handle(HttpServerRequest request) {
    HttpMethod method = request.method();
    Handler<HttpServerRequest> hot = method == HttpMethod.POST && INTROSPECT.equals(request.path()) ? oauth::introspect
        : method == HttpMethod.GET && VerifyRoute.PATH.equals(request.path()) ? verify::handle : null;
    if (hot == null) {
      everythingElse.handle(request);
      return;
    }
    headers.apply(request.response());
    try {
      hot.handle(request);
    } catch (RuntimeException e) {
      // What the router does with a handler that throws: a bare 500, and the bug in the log.
      log.error("{} {} failed", method, request.path(), e);
      if (!request.response().ended()) {
        request.response().setStatusCode(500).end();
      }
    }
  }
}
