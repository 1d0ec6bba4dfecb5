package dev.tessera.auth;

import java.time.Duration;

/** Too many recent failures for an account or address; carries how long until the next attempt is heard. */
public final class Throttled extends RuntimeException {
  private final Duration retryAfter;

  public Throttled(Duration retryAfter) {
    super("too many failed attempts", null, false, false);
    this.retryAfter = retryAfter;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}
