package dev.tessera.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition the system reaches on its own (a batched write, an expiry) by asking again and
 * again within a bound. The pause between probes only spares the CPU; the outcome never depends on it.
 */
public final class Eventually {
  private static final long PROBE_PAUSE_MILLIS = 50;

  private Eventually() {
  }

  /** Probes until {@code accept} holds and returns that value; fails naming {@code what} after {@code within}. */
  public static <T> T await(String what, Duration within, Supplier<T> probe, Predicate<T> accept) {
    long deadline = System.nanoTime() + within.toNanos();
    T last = probe.get();
    while (!accept.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + within + " waiting for " + what + "; last seen: " + last);
      }
      try {
        Thread.sleep(PROBE_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
      last = probe.get();
    }
    return last;
  }

  /** Waits until {@code condition} holds; returns how long that took (for tests that also measure). */
  public static Duration within(Duration bound, java.util.function.BooleanSupplier condition, String what) {
    long start = System.nanoTime();
    await(what, bound, condition::getAsBoolean, Boolean::booleanValue);
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
