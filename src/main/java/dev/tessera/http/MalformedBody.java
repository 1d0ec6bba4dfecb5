package dev.tessera.http;

import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;

/**
 * Recognises a request body the HTTP layer itself could not decode — a form with broken
 * percent-encoding such as {@code %zz} or a truncated {@code %4}. The decoder fails the route with its
 * own exception before any handler runs; that is the client's mistake (400), not a bug (500).
 */
final class MalformedBody {
  private MalformedBody() {
  }

  static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HttpPostRequestDecoder.ErrorDataDecoderException) {
        return true;
      }
    }
    return false;
  }
}
