package dev.tessera.auth;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressSharesTest {
  @Test
  void anAddressHoldsAtMostItsShareAndOthersAreUnaffected() {
    AddressShares shares = new AddressShares(2);
    assertThat(shares.tryTake("203.0.113.9")).isTrue();
    assertThat(shares.tryTake("203.0.113.9")).isTrue();

    assertThat(shares.tryTake("203.0.113.9")).isFalse();
    assertThat(shares.tryTake("198.51.100.77")).isTrue();
  }

  @Test
  void aPlaceGivenBackCanBeTakenAgainAndAnIdleAddressIsForgotten() {
    AddressShares shares = new AddressShares(1);
    assertThat(shares.tryTake("203.0.113.9")).isTrue();
    assertThat(shares.tryTake("203.0.113.9")).as("precondition: the share is used").isFalse();

    shares.giveBack("203.0.113.9");
    assertThat(shares.addresses()).isZero();
    assertThat(shares.tryTake("203.0.113.9")).isTrue();
  }

  @Test
  void aRefusedTakeHoldsNothing() {
    AddressShares shares = new AddressShares(1);
    shares.tryTake("203.0.113.9");
    shares.tryTake("203.0.113.9");
    shares.giveBack("203.0.113.9");

    assertThat(shares.addresses()).isZero();
  }

  @Test
  void theShareIsAQuarterOfThePoolButNeverLessThanTheThreads() {
    assertThat(PasswordHasher.perAddressShare(2, 66)).isEqualTo(16);
    assertThat(PasswordHasher.perAddressShare(1, 2)).isEqualTo(1);
    assertThat(PasswordHasher.perAddressShare(8, 16)).isEqualTo(8);
    assertThatThrownBy(() -> new AddressShares(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
