package dev.tessera.http;

/**
 * A sign-in request that cannot be sent back to the client — unknown client, unregistered redirect URI,
 * a form that did not come from our page — answered with an error page, never a redirect (RFC 6749 §4.1.2.1).
 * The message is ours and shown to a person; it never echoes request input.
 */
final class SignInProblem extends RuntimeException {
  private final int status;

  SignInProblem(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
