package dev.tessera.auth;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.tessera.metrics.TesseraMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Argon2id (RFC 9106) password and client-secret hashing on a dedicated worker pool. The work is
 * CPU-bound by design, so it never runs on an event loop, and the number of hashes waiting is bounded:
 * beyond it callers get {@link Overloaded} at once rather than an ever longer queue.
 *
 * <p>Checks are made for callers nobody has authenticated yet, so one address may hold only a share of
 * the pool ({@link #perAddressShare}); beyond it its checks get {@link AddressBusy}. Without that, one
 * address sending a burst of sign-ins had every place, and everyone else got 503 until it was hashed.
 * Hashing new secrets ({@link #hash}) is an administrator's call and takes no share.
 */
public final class PasswordHasher implements AutoCloseable {
  private static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;

  private final WorkerExecutor workers;
  private final Argon2Function argon2;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final int maxInFlight;
  private final AddressShares shares;
  private final TesseraMetrics metrics;
  private final Future<String> dummyHash;

  public PasswordHasher(Vertx vertx, TesseraMetrics metrics, int threads, int queue, int memoryKib, int iterations) {
    this.metrics = metrics;
    this.workers = vertx.createSharedWorkerExecutor("tessera-hash", threads);
    this.argon2 = Argon2Function.getInstance(memoryKib, iterations, 1, HASH_BYTES, Argon2.ID, Argon2Function.ARGON2_VERSION_13);
    this.maxInFlight = threads + queue;
    this.shares = new AddressShares(perAddressShare(threads, maxInFlight));
    // Unknown users are checked against this hash so they cost the same as a wrong password.
    this.dummyHash = workers.executeBlocking(() -> hashNow(UUID.randomUUID().toString()), false);
  }

  public Future<String> hash(String secret) {
    return run(() -> hashNow(secret));
  }

  /**
   * A quarter of the places, and never fewer than the threads: an address alone still keeps every thread
   * busy, and a crowd of addresses still shares the queue. (Behind a proxy that is not in
   * TESSERA_TRUSTED_PROXIES every caller is one address, and the share applies to all of them.)
   */
  static int perAddressShare(int threads, int places) {
    return Math.max(threads, places / 4);
  }

  /**
   * @param storedHash the stored PHC string, or null for "no such account" (checked against a dummy)
   * @param address the caller's address, whose share of the pool this check takes
   */
  public Future<Boolean> verify(String secret, String storedHash, String address) {
    String key = address == null ? "" : address;
    if (!shares.tryTake(key)) {
      metrics.passwordCheckRefused(true);
      return Future.failedFuture(new AddressBusy(shares.perAddress()));
    }
    Future<Boolean> checked = storedHash == null
        ? dummyHash.compose(dummy -> run(() -> {
          check(secret, dummy);
          return false;
        }))
        : run(() -> check(secret, storedHash));
    return checked.andThen(done -> shares.giveBack(key));
  }

  private String hashNow(String secret) {
    return Password.hash(secret).addRandomSalt(SALT_BYTES).with(argon2).getResult();
  }

  private static boolean check(String secret, String storedHash) {
    try {
      return Password.check(secret, storedHash).with(Argon2Function.getInstanceFromHash(storedHash));
    } catch (RuntimeException malformedHash) {
      return false;
    }
  }

  private <T> Future<T> run(Callable<T> work) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      metrics.passwordCheckRefused(false);
      return Future.failedFuture(new Overloaded("password hashing"));
    }
    return workers.executeBlocking(work, false).andThen(done -> inFlight.decrementAndGet());
  }

  @Override
  public void close() {
    workers.close();
  }
}
