package dev.tessera.http;

/**
 * An authorization request error that goes back to the client's (already validated) redirect URI as
 * {@code error}, {@code error_description}, {@code state} and {@code iss} (RFC 6749 §4.1.2.1, RFC 9207).
 */
final class AuthorizationError extends RuntimeException {
  private final AuthorizationRequest request;
  private final String error;

  AuthorizationError(AuthorizationRequest request, String error, String description) {
    super(description, null, false, false);
    this.request = request;
    this.error = error;
  }

  AuthorizationRequest request() {
    return request;
  }

  String error() {
    return error;
  }
}
