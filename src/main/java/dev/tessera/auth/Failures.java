package dev.tessera.auth;

import java.io.Serializable;
import java.time.Duration;

/**
 * Failed attempts recorded under one key, and until when the next attempt must wait. Serializable: in a
 * cluster it is a Hazelcast map value, computed on the member that owns the key.
 */
public record Failures(int count, long lockedUntilMillis) implements Serializable {
  public static final Failures NONE = new Failures(0, 0);
  /** The longest any failure makes anyone wait: a real user is never locked out for longer. */
  public static final Duration MAX_WAIT = Duration.ofMinutes(5);
  /** Failures are forgotten after a quiet period twice the longest wait. */
  public static final Duration REMEMBERED = MAX_WAIT.multipliedBy(2);

  /**
   * One more failure: after {@code free} of them each further failure doubles the wait from one second,
   * capped at {@link #MAX_WAIT}.
   */
  public static Failures next(Failures previous, int free, long nowMillis) {
    int count = previous == null ? 1 : previous.count() + 1;
    long until = 0;
    if (count > free) {
      int doublings = Math.min(count - free - 1, 20);
      until = nowMillis + Math.min(1000L << doublings, MAX_WAIT.toMillis());
    }
    return new Failures(count, until);
  }
}
