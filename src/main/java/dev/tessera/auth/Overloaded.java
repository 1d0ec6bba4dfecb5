package dev.tessera.auth;

/** A bounded queue is full: the caller should answer 503 with Retry-After instead of waiting. */
public final class Overloaded extends RuntimeException {
  public Overloaded(String what) {
    super(what + " is at capacity", null, false, false);
  }
}
