package dev.tessera.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;

/**
 * The parameters of an OAuth form POST. RFC 6749 §3.2 and RFC 7662 §2.1 require
 * {@code application/x-www-form-urlencoded}, and §3.2 forbids repeating a parameter: both are checked
 * before any value is read, so an ambiguous request is refused rather than guessed at.
 */
final class OAuthForm {
  private static final int MAX_VALUE_LENGTH = 4096;

  private final MultiMap params;

  private OAuthForm(MultiMap params) {
    this.params = params;
  }

  static OAuthForm of(RoutingContext ctx) {
    return of(ctx.request(), ctx.get(FormBody.PARAMS));
  }

  /** The form {@link FormBody} read from {@code request}. */
  static OAuthForm of(HttpServerRequest request, MultiMap params) {
    if (!FormBody.isForm(request)) {
      throw OAuthError.invalidRequest("content type must be application/x-www-form-urlencoded");
    }
    for (String name : params.names()) {
      List<String> values = params.getAll(name);
      if (values.size() > 1) {
        throw OAuthError.invalidRequest("parameter " + safeName(name) + " is repeated");
      }
      if (values.get(0).length() > MAX_VALUE_LENGTH) {
        throw OAuthError.invalidRequest("parameter " + safeName(name) + " is too long");
      }
    }
    return new OAuthForm(params);
  }

  /** Absent and empty parameters are the same thing (RFC 6749 §3.1). */
  Optional<String> optional(String name) {
    String value = params.get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  String required(String name) {
    return optional(name).orElseThrow(() -> OAuthError.invalidRequest("missing parameter " + name));
  }

  /** Parameter names are echoed in errors only if they look like parameter names. */
  private static String safeName(String name) {
    return name.matches("[a-z_]{1,32}") ? name : "(unnamed)";
  }
}
