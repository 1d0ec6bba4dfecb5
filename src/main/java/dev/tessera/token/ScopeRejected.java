package dev.tessera.token;

/** The requested scope exceeds what may be granted: RFC 6749 {@code invalid_scope}. */
public final class ScopeRejected extends RuntimeException {
  public ScopeRejected(String description) {
    super(description, null, false, false);
  }
}
