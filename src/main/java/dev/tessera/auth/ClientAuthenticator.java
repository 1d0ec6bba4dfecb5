package dev.tessera.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tessera.domain.Client;
import dev.tessera.store.ClientStore;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Authenticates OAuth clients. Resource servers introspect thousands of times a second, so a secret
 * that has passed Argon2 once is remembered as its SHA-256 digest (never as plain text) together with
 * the stored hash it matched; a changed or deleted client no longer matches. Both caches are bounded.
 *
 * <p>Order matters, because anyone may name any client id: (1) a secret matching the remembered digest
 * (constant-time) is accepted before any back-off is consulted, so guesses by others can never refuse
 * the real client; (2) otherwise the back-off for this (address, client id) and for the address is
 * checked before any lookup or hashing; (3) unknown client ids are refused without Argon2: ids are not
 * secret, and the hashing pool must not be spendable by anyone who makes ids up. (The equal-cost dummy
 * check is for users, whose names are not public.)
 */
public final class ClientAuthenticator {
  /**
   * A backstop only: client changes reach every node through the revocation path ({@link #forget}, called
   * on this node's own change, on the broadcast and on catch-up), within the acknowledgement timeout.
   */
  public static final Duration CLIENT_TTL = Duration.ofSeconds(10);

  private record Verified(byte[] secretDigest, String storedHash) {
  }

  private final ClientStore store;
  private final SharedSecretChecks checks;
  private final LoginThrottle throttle;
  // Read on every introspection: bookkeeping on the caller, not a ForkJoinPool hand-off (see VerificationCache).
  private final Cache<String, Optional<Client>> clients =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CLIENT_TTL).executor(Runnable::run).build();
  private final Cache<String, Verified> verified =
      Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run).build();
  /** Bumped by every {@link #forget}: a read that started before a change must not cache what it saw. */
  private final AtomicLong changes = new AtomicLong();

  public ClientAuthenticator(ClientStore store, PasswordHasher hasher, LoginThrottle throttle) {
    this.store = store;
    this.checks = new SharedSecretChecks(hasher);
    this.throttle = throttle;
  }

  /** @param address the caller's address as the HTTP layer decided it (trusted proxies applied) */
  public Future<Client> authenticate(ClientCredentials credentials, String address) {
    List<ClientCredentials> readings = readings(credentials);
    for (ClientCredentials reading : readings) {
      byte[] digest = rememberedDigest(reading);
      if (digest != null) {
        return lookup(reading.clientId()).compose(found -> found
            .filter(client -> matchesRemembered(client, digest))
            .map(Future::succeededFuture)
            // Changed or deleted since: decide the slow way.
            .orElseGet(() -> checked(credentials, address)));
      }
    }
    return checked(credentials, address);
  }

  private Future<Client> checked(ClientCredentials credentials, String address) {
    String clientId = credentials.clientId();
    return throttle.waitFor(clientId, address).compose(wait -> {
      if (wait.isPresent()) {
        return Future.failedFuture(new Throttled(wait.get()));
      }
      return attemptAll(credentials, address).transform(outcome -> {
        if (outcome.succeeded()) {
          return throttle.succeeded(clientId, address).map(outcome.result());
        }
        Future<Client> failure = Future.failedFuture(outcome.cause());
        return outcome.cause() instanceof InvalidCredentials
            ? throttle.failed(clientId, address).compose(v -> failure) : failure;
      });
    });
  }

  private static List<ClientCredentials> readings(ClientCredentials credentials) {
    List<ClientCredentials> all = new ArrayList<>();
    all.add(credentials);
    all.addAll(credentials.alternatives());
    return all;
  }

  /**
   * A cheap first look (no store access): does this reading carry the secret that last passed Argon2?
   * @return the reading's secret digest if so, else null
   */
  private byte[] rememberedDigest(ClientCredentials reading) {
    Verified known = reading.secret().isEmpty() ? null : verified.getIfPresent(reading.clientId());
    if (known == null) {
      return null;
    }
    byte[] digest = sha256(reading.secret().get());
    return MessageDigest.isEqual(known.secretDigest(), digest) ? digest : null;
  }

  private boolean matchesRemembered(Client client, byte[] secretDigest) {
    Verified known = verified.getIfPresent(client.clientId());
    return client.confidential() && known != null
        && known.storedHash().equals(client.secretHash().orElse(null))
        && MessageDigest.isEqual(known.secretDigest(), secretDigest);
  }

  private Future<Client> attemptAll(ClientCredentials credentials, String address) {
    Future<Client> outcome = attempt(credentials, address);
    for (ClientCredentials alternative : credentials.alternatives()) {
      outcome = outcome.recover(f -> f instanceof InvalidCredentials ? attempt(alternative, address) : Future.failedFuture(f));
    }
    return outcome;
  }

  private Future<Client> attempt(ClientCredentials credentials, String address) {
    return lookup(credentials.clientId()).compose(found -> {
      if (found.isEmpty()) {
        return invalid();
      }
      Client client = found.get();
      if (!client.confidential()) {
        return credentials.secret().isEmpty() ? Future.succeededFuture(client) : invalid();
      }
      if (credentials.secret().isEmpty()) {
        return invalid();
      }
      String secret = credentials.secret().get();
      byte[] digest = sha256(secret);
      if (matchesRemembered(client, digest)) {
        return Future.succeededFuture(client);
      }
      String storedHash = client.secretHash().orElseThrow();
      return checks.matches(client.clientId(), secret, HexFormat.of().formatHex(digest), storedHash, address)
          .compose(ok -> {
            if (!ok) {
              return invalid();
            }
            verified.put(client.clientId(), new Verified(digest, storedHash));
            return Future.succeededFuture(client);
          });
    });
  }

  private Future<Optional<Client>> lookup(String clientId) {
    Optional<Client> cached = clients.getIfPresent(clientId);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    long seen = changes.get();
    return store.find(clientId).onSuccess(found -> {
      if (changes.get() == seen) {
        clients.put(clientId, found);
      }
    });
  }

  /**
   * Forget a client after it changed, here or on another node (see token.Evictions). The remembered
   * secret digest stays: it only ever vouches together with the stored hash it matched, and a new
   * secret is a new hash, so re-reading the client is enough. Dropping it too would send a resource
   * server back through Argon2 after any change to its row — including the catch-up replay of its own
   * creation — and under a sign-in flood that is a 503 for the gateway.
   */
  public void forget(String clientId) {
    changes.incrementAndGet();
    clients.invalidate(clientId);
  }

  /**
   * How many client changes this node has heard of so far; other caches built from the clients table
   * (the RFC 8414 metadata) compare it to know they are stale, without a second hook.
   */
  public long changeCount() {
    return changes.get();
  }

  private static <T> Future<T> invalid() {
    return Future.failedFuture(new InvalidCredentials("client authentication failed"));
  }

  /**
   * One digest per thread: looking one up is a provider search and a reflective constructor, ≈ 3 % of an
   * introspection on the hit path (bench/results/profile-20261202T030442Z.md), and it runs on every one.
   */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  });

  private static byte[] sha256(String secret) {
    // digest() resets the instance, so the next caller on this thread starts clean.
    return SHA256.get().digest(secret.getBytes(StandardCharsets.UTF_8));
  }
}
