package dev.tessera.store;

/** An insert hit a unique constraint: an expected outcome (taken username, existing client id), not a 500. */
public final class Conflict extends RuntimeException {
  public Conflict(String message) {
    super(message, null, false, false);
  }

  static final String UNIQUE_VIOLATION = "23505";
}
