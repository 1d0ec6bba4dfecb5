package dev.tessera.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Response writing shared by the routers. */
final class Responses {
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");
  static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized("application/problem+json;charset=UTF-8");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence PRAGMA = HttpHeaders.createOptimized("Pragma");

  private Responses() {
  }

  /** JSON with {@code Cache-Control: no-store}: every OAuth and admin answer may carry credentials or PII. */
  static Future<Void> json(RoutingContext ctx, int status, JsonObject body) {
    return json(ctx, status, body.toBuffer());
  }

  static Future<Void> json(RoutingContext ctx, int status, Buffer body) {
    return json(ctx.response(), status, body);
  }

  static Future<Void> json(HttpServerResponse response, int status, Buffer body) {
    response.setStatusCode(status);
    response.headers()
        .set(HttpHeaders.CONTENT_TYPE, JSON)
        .set(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .set(PRAGMA, NO_CACHE);
    return response.end(body);
  }
}
