package dev.tessera.token;

import java.time.Clock;
import java.time.Duration;

/**
 * How current this node's view of the revocation log is. The follower marks each successful catch-up;
 * once the last one is older than the staleness bound, cached "active" answers are no longer trusted
 * (fail closed) and readiness goes down.
 */
public final class Freshness {
  private final Clock clock;
  private final long boundMillis;
  private volatile long caughtUpAtMillis;

  public Freshness(Clock clock, Duration bound) {
    this.clock = clock;
    this.boundMillis = bound.toMillis();
    this.caughtUpAtMillis = clock.millis();
  }

  public void caughtUp(long atMillis) {
    if (atMillis > caughtUpAtMillis) {
      caughtUpAtMillis = atMillis;
    }
  }

  public boolean isFresh() {
    return clock.millis() - caughtUpAtMillis <= boundMillis;
  }

  public Duration sinceCaughtUp() {
    return Duration.ofMillis(clock.millis() - caughtUpAtMillis);
  }

  public Duration bound() {
    return Duration.ofMillis(boundMillis);
  }
}
