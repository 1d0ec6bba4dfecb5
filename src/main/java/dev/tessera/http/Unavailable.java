package dev.tessera.http;

import io.vertx.core.VertxException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Recognises failures that mean "a dependency is down right now" (answer 503), as opposed to bugs (500). */
final class Unavailable {
  private Unavailable() {
  }

  static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ClosedConnectionException || t instanceof IOException || t instanceof TimeoutException
          || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
          || t instanceof io.netty.channel.ConnectTimeoutException) {
        return true;
      }
      String message = t.getMessage();
      if (t instanceof VertxException && message != null
          && (message.contains("onnection") || message.contains("imeout") || message.contains("closed"))) {
        return true;
      }
    }
    return false;
  }
}
