package dev.tessera.store;

import dev.tessera.domain.AuditEvent;
import dev.tessera.testing.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Failure audit rows per address and kind: the first few a minute written, the rest summed in one row. */
class FailureAuditLimitTest {

  @Test
  void beyondTheLimitFailuresAreCountedAndSummarisedWhenTheMinuteIsOver() {
    AtomicLong nanos = new AtomicLong();
    List<AuditEvent> summaries = new CopyOnWriteArrayList<>();
    FailureAuditLimit limit = new FailureAuditLimit(summaries::add, nanos::get);
    AuditEvent failure = AuditEvent.of("client_auth_failed", null, null, "x", "203.0.113.1", null);
    AuditEvent elsewhere = AuditEvent.of("client_auth_failed", null, null, "x", "198.51.100.1", null);

    int admitted = 0;
    for (int i = 0; i < 25; i++) {
      admitted += limit.admit(failure) ? 1 : 0;
    }
    assertThat(admitted).isEqualTo(FailureAuditLimit.PER_WINDOW);
    assertThat(limit.admit(elsewhere)).as("another address has its own allowance").isTrue();
    assertThat(limit.admit(AuditEvent.of("login_failed", null, "u", "x", "203.0.113.1", null)))
        .as("another kind of event has its own allowance").isTrue();
    assertThat(summaries).isEmpty();

    nanos.addAndGet(FailureAuditLimit.WINDOW.plusSeconds(1).toNanos());
    limit.cleanUp();

    Eventually.within(Duration.ofSeconds(10), () -> !summaries.isEmpty(), "a summary row");
    assertThat(summaries).hasSize(1);
    AuditEvent summary = summaries.get(0);
    assertThat(summary.event()).isEqualTo("auth_failures_suppressed");
    assertThat(summary.ip()).isEqualTo("203.0.113.1");
    assertThat(summary.detail().getString("event")).isEqualTo("client_auth_failed");
    assertThat(summary.detail().getInteger("count")).isEqualTo(25 - FailureAuditLimit.PER_WINDOW);
    assertThat(limit.admit(failure)).as("a new minute, a new allowance").isTrue();
  }
}
