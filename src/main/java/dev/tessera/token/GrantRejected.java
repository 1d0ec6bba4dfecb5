package dev.tessera.token;

/** The presented grant (refresh token) is not usable: RFC 6749 {@code invalid_grant}. */
public final class GrantRejected extends RuntimeException {
  public GrantRejected(String description) {
    super(description, null, false, false);
  }
}
