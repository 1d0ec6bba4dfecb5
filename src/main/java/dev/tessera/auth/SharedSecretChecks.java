package dev.tessera.auth;

import dev.tessera.vertx.CallerContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Client-secret checks that are under way, so that concurrent checks of the same secret against the same
 * stored hash share one Argon2 run. A gateway opening its connections to a node that has just started
 * sends one burst with one secret before any of it is remembered; without this each request took a
 * place in the hashing pool, and a burst wider than the caller's share ({@link AddressBusy}) was refused.
 *
 * <p>Keys hold the secret's SHA-256 digest, which {@link ClientAuthenticator} already computes and keeps,
 * and only while the check runs.
 */
final class SharedSecretChecks {
  private record Check(String clientId, String secretDigestHex, String storedHash) {
  }

  private final PasswordHasher hasher;
  private final ConcurrentHashMap<Check, Future<Boolean>> running = new ConcurrentHashMap<>();

  SharedSecretChecks(PasswordHasher hasher) {
    this.hasher = hasher;
  }

  /** Whether {@code secret} matches {@code storedHash}; joins a check of the same under way if there is one. */
  Future<Boolean> matches(String clientId, String secret, String secretDigestHex, String storedHash, String address) {
    Check key = new Check(clientId, secretDigestHex, storedHash);
    Promise<Boolean> started = Promise.promise();
    Future<Boolean> shared = running.putIfAbsent(key, started.future());
    Promise<Boolean> answer = CallerContext.promise();
    if (shared == null) {
      Future<Boolean> check;
      try {
        check = hasher.verify(secret, storedHash, address);
      } catch (RuntimeException e) {
        // Never leave the key behind: every later check of this secret would join a check that never ends.
        check = Future.failedFuture(e);
      }
      check.onComplete(result -> {
        running.remove(key, started.future());
        started.handle(result);
      });
      started.future().onComplete(answer);
      return answer.future();
    }
    // A check refused for its caller's address says nothing about this caller's: ask on its own account.
    shared.recover(e -> e instanceof AddressBusy ? hasher.verify(secret, storedHash, address) : Future.failedFuture(e))
        .onComplete(answer);
    return answer.future();
  }

  /** Checks under way (for tests). */
  int running() {
    return running.size();
  }
}
