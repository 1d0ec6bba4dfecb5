package dev.tessera.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;

/**
 * Reads an OAuth form body (bounded) and decodes it with Netty's {@link QueryStringDecoder}. Used
 * instead of BodyHandler on the OAuth endpoints because Vert.x's multipart-capable form decoder throws
 * and catches an exception at the end of every body — a stack walk on every introspection, the hottest
 * request Tessera serves. Malformed percent-encoding becomes {@code invalid_request}, not a 500.
 */
final class FormBody implements Handler<RoutingContext> {
  static final String PARAMS = "tessera.form";
  private static final int MAX_PARAMS = 64;
  /**
   * application/x-www-form-urlencoded separates pairs with {@code &} only (WHATWG URL §5.1). Netty also
   * splits on {@code ;} by default, which would let {@code grant_type=password;client_id=x} smuggle a
   * parameter past a proxy's view of the body and cut a password that contains a raw {@code ;}.
   */
  private static final QueryStringDecoder.Builder DECODER = QueryStringDecoder.builder()
      .hasPath(false).charset(StandardCharsets.UTF_8).maxParams(MAX_PARAMS).semicolonIsNormalChar(true);

  private static final String FORM_TYPE = "application/x-www-form-urlencoded";

  private final int limit;

  FormBody(int limit) {
    this.limit = limit;
  }

  /** Where a read ends: the parameters, or why there are none (an HTTP status or a throwable). */
  interface Outcome {
    void params(MultiMap params);

    void failed(int status, Throwable failure);
  }

  @Override
  public void handle(RoutingContext ctx) {
    read(ctx.request(), new Outcome() {
      @Override
      public void params(MultiMap params) {
        ctx.put(PARAMS, params);
        ctx.next();
      }

      @Override
      public void failed(int status, Throwable failure) {
        if (failure != null) {
          ctx.fail(failure);
        } else {
          ctx.fail(status);
        }
      }
    });
  }

  /**
   * Reads the body of {@code request} and reports exactly once. Also used without a router, by the
   * introspection fast path ({@link HotPaths}). A body that is not a form yields no parameters: {@link
   * OAuthForm} refuses it with the right message before reading any.
   */
  void read(HttpServerRequest request, Outcome outcome) {
    String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (declared != null && tooLong(declared)) {
      outcome.failed(413, null);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] failed = new boolean[1];
    request.handler(chunk -> {
      if (body.length() + chunk.length() > limit) {
        if (!failed[0]) {
          failed[0] = true;
          outcome.failed(413, null);
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> {
      if (!failed[0]) {
        failed[0] = true;
        outcome.failed(500, e);
      }
    });
    request.endHandler(end -> {
      if (failed[0]) {
        return;
      }
      MultiMap params = MultiMap.caseInsensitiveMultiMap();
      if (!isForm(request)) {
        outcome.params(params);
        return;
      }
      try {
        DECODER.build(body.toString(StandardCharsets.UTF_8)).parameters().forEach(params::add);
      } catch (IllegalArgumentException malformedEncoding) {
        failed[0] = true;
        outcome.failed(400, OAuthError.invalidRequest("malformed form encoding"));
        return;
      }
      outcome.params(params);
    });
    // The router pauses a request until a handler is ready for its body.
    request.resume();
  }

  /** Whether the request declares a urlencoded form body (media types are case-insensitive, RFC 9110 §8.3.1). */
  static boolean isForm(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    // regionMatches, not toLowerCase().startsWith: no copy of the header on every introspection.
    return type != null && type.regionMatches(true, 0, FORM_TYPE, 0, FORM_TYPE.length());
  }

  private boolean tooLong(String contentLength) {
    try {
      return Long.parseLong(contentLength.trim()) > limit;
    } catch (NumberFormatException e) {
      return true;
    }
  }
}
