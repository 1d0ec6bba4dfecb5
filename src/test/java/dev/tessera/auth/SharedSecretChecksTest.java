package dev.tessera.auth;

import dev.tessera.metrics.TesseraMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** Real Argon2 (slow enough that a second check arrives while the first runs) on a real worker pool. */
@ExtendWith(VertxExtension.class)
class SharedSecretChecksTest {
  private static PasswordHasher hasher;
  private static String storedHash;

  @BeforeAll
  static void start(Vertx vertx) {
    hasher = new PasswordHasher(vertx, new TesseraMetrics(new SimpleMeterRegistry()), 1, 7, 65536, 3);
    storedHash = hasher.hash("right-secret").await();
  }

  @AfterAll
  static void stop() {
    hasher.close();
  }

  @Test
  void concurrentChecksOfOneSecretShareOneRunAndLeaveNothingBehind() {
    SharedSecretChecks checks = new SharedSecretChecks(hasher);
    Future<Boolean> first = checks.matches("gw", "right-secret", "digest-a", storedHash, "198.51.100.1");
    Future<Boolean> second = checks.matches("gw", "right-secret", "digest-a", storedHash, "198.51.100.2");
    Future<Boolean> other = checks.matches("gw", "wrong-secret", "digest-b", storedHash, "198.51.100.1");
    assertThat(checks.running()).as("one run per distinct secret").isEqualTo(2);

    assertThat(first.await()).isTrue();
    assertThat(second.await()).isTrue();
    assertThat(other.await()).isFalse();
    assertThat(checks.running()).isZero();
  }

  @Test
  void aRefusalForABusyAddressIsNotHandedToTheNextCallerOfTheSameSecret() {
    SharedSecretChecks checks = new SharedSecretChecks(hasher);
    int share = PasswordHasher.perAddressShare(1, 8);
    // The busy address holds its whole share with checks of other secrets.
    for (int i = 0; i < share; i++) {
      checks.matches("gw", "filler-" + i, "filler-" + i, storedHash, "203.0.113.9");
    }
    Future<Boolean> refused = checks.matches("gw", "right-secret", "digest-a", storedHash, "203.0.113.9");
    assertThat(refused.failed()).as("precondition: the busy address is refused at once").isTrue();
    assertThat(refused.cause()).isInstanceOf(AddressBusy.class);

    assertThat(checks.matches("gw", "right-secret", "digest-a", storedHash, "198.51.100.1").await()).isTrue();
  }
}
