package dev.tessera.auth;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Back-off after failed attempts, for user sign-ins and for client authentication alike (each its own
 * instance, so one kind cannot use up the other's allowance). Three counts are kept:
 * <ul>
 *   <li>per account (user or client id): after a few free failures each further one doubles the wait,
 *   capped at {@link Failures#MAX_WAIT};</li>
 *   <li>which addresses have failed on which account: the account's wait holds back only those. An
 *   address that never failed on the account gets its attempt checked, so someone else's failures never
 *   lock the real owner out, while every guessing address, once it has failed, waits as long as the
 *   account does. It is not an oracle: a held-back attempt is refused unchecked, whatever it carries;</li>
 *   <li>per address across accounts (anonymous work): one address spraying many accounts is slowed
 *   before it costs an Argon2 check each.</li>
 * </ul>
 * The price: an attacker with many addresses gets one checked guess per address per account until the
 * records expire ({@link Failures#REMEMBERED}), bounded in turn by the per-address count. Where the
 * counts live is the {@link FailureLedger}'s business: per node, or shared by the cluster.
 */
public final class LoginThrottle {
  private static final Logger log = LoggerFactory.getLogger(LoginThrottle.class);
  static final int FREE_ACCOUNT_FAILURES = 5;
  static final int FREE_ADDRESS_FAILURES = 20;
  static final Duration MAX_WAIT = Failures.MAX_WAIT;

  private final String name;
  private final FailureLedger ledger;
  private final Clock clock;

  /** @param name keeps this throttle's keys apart from another's in a shared ledger */
  public LoginThrottle(String name, FailureLedger ledger, Clock clock) {
    this.name = name;
    this.ledger = ledger;
    this.clock = clock;
  }

  /**
   * How long {@code address} must still wait before its next attempt on {@code account}. If the
   * ledger cannot be read (a cluster in trouble) the attempt goes ahead: failing closed would lock
   * everyone out, and the Argon2 cost still slows a guesser.
   */
  public Future<Optional<Duration>> waitFor(String account, String address) {
    Future<Failures> fromAddress = ledger.get(addressKey(address));
    Future<Failures> pair = ledger.get(pairKey(account, address));
    Future<Failures> onAccount = ledger.get(accountKey(account));
    return Future.all(fromAddress, pair, onAccount).map(all -> {
      long until = fromAddress.result().lockedUntilMillis();
      if (pair.result().count() > 0) {
        until = Math.max(until, onAccount.result().lockedUntilMillis());
      }
      long now = clock.millis();
      return until > now ? Optional.of(Duration.ofMillis(until - now)) : Optional.<Duration>empty();
    }).recover(e -> {
      log.warn("{} back-off state unavailable, attempt not held back: {}", name, e.toString());
      return Future.succeededFuture(Optional.empty());
    });
  }

  /** Counts a failure; completes once it is recorded, so the caller's next attempt sees it. */
  public Future<Void> failed(String account, String address) {
    long now = clock.millis();
    return Future.all(ledger.fail(accountKey(account), FREE_ACCOUNT_FAILURES, now),
            ledger.fail(addressKey(address), FREE_ADDRESS_FAILURES, now),
            ledger.fail(pairKey(account, address), Integer.MAX_VALUE, now))
        .<Void>mapEmpty().recover(this::unrecorded);
  }

  /**
   * This address may try the account freely again. The account's count is left to expire: the owner
   * signing in must not hand a guesser a fresh set of free attempts.
   */
  public Future<Void> succeeded(String account, String address) {
    return ledger.forget(pairKey(account, address)).recover(this::unrecorded);
  }

  private Future<Void> unrecorded(Throwable e) {
    log.warn("{} back-off state not updated: {}", name, e.toString());
    return Future.succeededFuture();
  }

  private String accountKey(String account) {
    return name + "\u0000a\u0000" + account;
  }

  private String addressKey(String address) {
    return name + "\u0000s\u0000" + address;
  }

  private String pairKey(String account, String address) {
    return name + "\u0000p\u0000" + account + "\u0000" + address;
  }
}
