package dev.tessera.metrics;

import dev.tessera.domain.GrantType;
import dev.tessera.domain.RevocationReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Tessera's own meters (DESIGN.md §6). Every labelled series is created once here, so recording on the
 * hot path is an array lookup and an atomic add — no tag strings built per request, and no label ever
 * carries a token, a user or a client.
 */
public final class TesseraMetrics {
  public enum Endpoint { INTROSPECT, VERIFY }

  public enum Result { ACTIVE, INACTIVE, INVALID }

  public enum Source { CACHE, DB }

  // Fixed buckets from 50 µs to 1 s: fine enough to tell a cache hit from a database read.
  private static final Duration[] VERIFICATION_BUCKETS = {
      Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1)};
  private static final Duration[] PROPAGATION_BUCKETS = {
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final Timer[][][] verification;
  private final Timer propagation;
  private final Timer ackWait;
  private final Map<GrantType, Counter> issued = new EnumMap<>(GrantType.class);
  private final Map<RevocationReason, Counter> revocations = new EnumMap<>(RevocationReason.class);
  private final Counter loginFailures;
  private final Counter checksRefusedAddressBusy;
  private final Counter checksRefusedOverloaded;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter tokenReads;
  private final Counter ackTimeouts;

  public TesseraMetrics(MeterRegistry registry) {
    this.registry = registry;
    verification = new Timer[Endpoint.values().length][Result.values().length][Source.values().length];
    for (Endpoint e : Endpoint.values()) {
      for (Result r : Result.values()) {
        for (Source s : Source.values()) {
          verification[e.ordinal()][r.ordinal()][s.ordinal()] = verificationTimer(label(e), label(r), label(s));
        }
      }
    }
    propagation = revocationTimer("tessera.revocation.propagation",
        "Time from a revocation's commit to its arrival at this node");
    ackWait = revocationTimer("tessera.revocation.ack.wait",
        "Time a revocation waited for every live node's acknowledgement before answering");
    for (GrantType g : GrantType.values()) {
      issued.put(g, Counter.builder("tessera.tokens.issued").description("Tokens issued")
          .tag("grant", g.wireName()).register(registry));
    }
    for (RevocationReason r : RevocationReason.values()) {
      revocations.put(r, Counter.builder("tessera.revocations").description("Sessions revoked")
          .tag("reason", r.label()).register(registry));
    }
    loginFailures = Counter.builder("tessera.login.failures").description("Refused sign-ins and client authentications")
        .register(registry);
    checksRefusedAddressBusy = checksRefused("address_busy");
    checksRefusedOverloaded = checksRefused("overloaded");
    cacheHits = Counter.builder("tessera.token.cache.hits").description("Verifications answered from the node cache")
        .register(registry);
    cacheMisses = Counter.builder("tessera.token.cache.misses").description("Verifications that read the database")
        .register(registry);
    tokenReads = Counter.builder("tessera.token.reads")
        .description("Database reads for cache misses; concurrent misses for one token share one read")
        .register(registry);
    ackTimeouts = Counter.builder("tessera.revocation.ack.timeouts")
        .description("Nodes that had not confirmed a revocation when its acknowledgement timeout passed")
        .register(registry);
  }

  /**
   * A {@code tessera_verification_seconds} series with the standard buckets. Also used for gateway
   * decisions that need no token check (route denied, anonymous route, no token), so every decision a
   * gateway asks for is timed in one histogram.
   */
  public Timer verificationTimer(String endpoint, String result, String source) {
    return Timer.builder("tessera.verification")
        .description("Time to answer whether a token is active")
        .tag("endpoint", endpoint).tag("result", result).tag("source", source)
        .serviceLevelObjectives(VERIFICATION_BUCKETS)
        .minimumExpectedValue(VERIFICATION_BUCKETS[0])
        .maximumExpectedValue(Duration.ofSeconds(1))
        .register(registry);
  }

  private static String label(Enum<?> e) {
    return e.name().toLowerCase();
  }

  public MeterRegistry registry() {
    return registry;
  }

  public void verification(Endpoint endpoint, Result result, Source source, long nanos) {
    verification[endpoint.ordinal()][result.ordinal()][source.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  public void cacheLookup(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  public void tokenRead() {
    tokenReads.increment();
  }

  public void propagation(Duration lag) {
    propagation.record(lag.isNegative() ? Duration.ZERO : lag);
  }

  public void issued(GrantType grant) {
    issued.get(grant).increment();
  }

  public void revoked(RevocationReason reason, int sessions) {
    revocations.get(reason).increment(sessions);
  }

  public void ackWait(Duration waited) {
    ackWait.record(waited);
  }

  /** @param lateNodes nodes that did not confirm one revocation in time */
  public void ackTimeouts(int lateNodes) {
    ackTimeouts.increment(lateNodes);
  }

  public void loginFailure() {
    loginFailures.increment();
  }

  private Counter checksRefused(String reason) {
    return Counter.builder("tessera.password.checks.refused")
        .description("Password and client-secret checks refused unchecked: the caller's address held its share "
            + "of the Argon2 pool (address_busy, 429) or the pool was full (overloaded, 503)")
        .tag("reason", reason).register(registry);
  }

  /** A password or client-secret check refused before hashing ({@code addressBusy}: the address's share, else the pool). */
  public void passwordCheckRefused(boolean addressBusy) {
    (addressBusy ? checksRefusedAddressBusy : checksRefusedOverloaded).increment();
  }

  public void cacheSize(Supplier<Number> size) {
    Gauge.builder("tessera.token.cache.size", size).description("Tokens in this node's verification cache")
        .register(registry);
  }

  public void clusterMembers(Supplier<Number> members) {
    Gauge.builder("tessera.cluster.members", members).description("Nodes this node sees in the cluster")
        .register(registry);
  }

  /** Revocation latencies share the propagation buckets, so the two histograms can be read side by side. */
  private Timer revocationTimer(String name, String description) {
    return Timer.builder(name).description(description)
        .serviceLevelObjectives(PROPAGATION_BUCKETS)
        .minimumExpectedValue(PROPAGATION_BUCKETS[0])
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }
}
