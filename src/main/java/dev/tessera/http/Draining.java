package dev.tessera.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.TimeUnit;

/**
 * Graceful stop without dropping a request: Vert.x's shutdown closes every connection that has no
 * response in progress at once, including one whose next request is already on the wire but not yet
 * read, and then discards that request unanswered (issue 15). So first, for a short grace, the server
 * keeps reading and tells every client {@code Connection: close} with its answer, so no client sends
 * another request on that connection; only then does the shutdown close what is idle and wait (bounded)
 * for what is in flight. One per HTTP verticle, used on its event loop only.
 */
final class Draining implements Handler<HttpServerRequest> {
  /** Far above a loopback or LAN round trip: what was sent before SIGTERM has arrived by then. */
  private static final long GRACE_MILLIS = 500;

  private final Handler<HttpServerRequest> next;
  private boolean draining;

  Draining(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (draining) {
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    next.handle(request);
  }

  /** Starts answering with {@code Connection: close}, then shuts {@code server} down within {@code drainSeconds}. */
  Future<Void> shutdown(Vertx vertx, HttpServer server, int drainSeconds) {
    draining = true;
    return vertx.timer(GRACE_MILLIS, TimeUnit.MILLISECONDS)
        .compose(t -> server.shutdown(drainSeconds, TimeUnit.SECONDS));
  }
}
