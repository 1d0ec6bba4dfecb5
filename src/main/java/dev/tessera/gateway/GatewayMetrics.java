package dev.tessera.gateway;

import dev.tessera.metrics.TesseraMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters of the gateway doors and the route policy, all created up front so a decision records with an
 * array lookup. Labels are the policy kind and the outcome, never a path, host or rule.
 */
public final class GatewayMetrics {
  private final Counter[][] decisions = new Counter[Access.values().length][Decision.Outcome.values().length];
  /** Decisions that needed no token check, by why: route denied, anonymous route without token, no token. */
  private final Timer denied;
  private final Timer anonymous;
  private final Timer missing;
  private final Counter reloadFailures;
  private final AtomicInteger fileValid = new AtomicInteger(1);
  private final AtomicInteger rules = new AtomicInteger();

  public GatewayMetrics(TesseraMetrics metrics) {
    var registry = metrics.registry();
    for (Access a : Access.values()) {
      for (Decision.Outcome o : Decision.Outcome.values()) {
        decisions[a.ordinal()][o.ordinal()] = Counter.builder("tessera.policy.decisions")
            .description("Gateway authorization decisions, by the route policy that applied and the result")
            .tag("policy", a.label()).tag("result", o.label()).register(registry);
      }
    }
    denied = metrics.verificationTimer("verify", "denied", "policy");
    anonymous = metrics.verificationTimer("verify", "anonymous", "policy");
    missing = metrics.verificationTimer("verify", "missing", "policy");
    reloadFailures = Counter.builder("tessera.policy.reload.failures")
        .description("Changes to TESSERA_POLICY_FILE that could not be used (the last good policy stays in force)")
        .register(registry);
    Gauge.builder("tessera.policy.file.valid", fileValid, AtomicInteger::get)
        .description("1 when the policy in force is what TESSERA_POLICY_FILE says now, 0 while a broken change is ignored")
        .register(registry);
    Gauge.builder("tessera.policy.rules", rules, AtomicInteger::get)
        .description("Rules in the route policy in force").register(registry);
  }

  void decided(Decision d) {
    decisions[d.policy().ordinal()][d.outcome().ordinal()].increment();
  }

  void deniedByPolicy(long nanos) {
    denied.record(nanos, TimeUnit.NANOSECONDS);
  }

  void anonymousWithoutToken(long nanos) {
    anonymous.record(nanos, TimeUnit.NANOSECONDS);
  }

  void noToken(long nanos) {
    missing.record(nanos, TimeUnit.NANOSECONDS);
  }

  void loaded(RoutePolicy policy) {
    fileValid.set(1);
    rules.set(policy.size());
  }

  void reloadFailed() {
    reloadFailures.increment();
    fileValid.set(0);
  }
}
