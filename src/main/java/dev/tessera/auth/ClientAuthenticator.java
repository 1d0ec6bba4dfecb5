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
import java.util.Optional;

/**
 * Authenticates OAuth clients. Resource servers introspect thousands of times a second, so a secret
 * that has passed Argon2 once is remembered as its SHA-256 digest (never as plain text) together with
 * the stored hash it matched; a changed or deleted client no longer matches. Both caches are bounded.
 */
public final class ClientAuthenticator {
  /** How long another node's client change may go unseen here (this node's own changes apply at once). */
  private static final Duration CLIENT_TTL = Duration.ofSeconds(10);

  private record Verified(byte[] secretDigest, String storedHash) {
  }

  private final ClientStore store;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;
  private final Cache<String, Optional<Client>> clients =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(CLIENT_TTL).build();
  private final Cache<String, Verified> verified = Caffeine.newBuilder().maximumSize(10_000).build();

  public ClientAuthenticator(ClientStore store, PasswordHasher hasher, LoginThrottle throttle) {
    this.store = store;
    this.hasher = hasher;
    this.throttle = throttle;
  }

  /**
   * Failed attempts back off per client id, like sign-ins per account, so a client secret cannot be
   * guessed at full speed either. Not per address: many clients may sit behind one gateway address, and
   * one misconfigured resource server must not lock out the others.
   */
  public Future<Client> authenticate(ClientCredentials credentials) {
    var wait = throttle.waitFor(credentials.clientId(), null);
    if (wait.isPresent()) {
      return Future.failedFuture(new Throttled(wait.get()));
    }
    return attemptAll(credentials)
        .onSuccess(client -> throttle.succeeded(credentials.clientId()))
        .onFailure(failure -> {
          if (failure instanceof InvalidCredentials) {
            throttle.failed(credentials.clientId(), null);
          }
        });
  }

  private Future<Client> attemptAll(ClientCredentials credentials) {
    return attempt(credentials).recover(failure -> {
      if (!(failure instanceof InvalidCredentials) || credentials.alternatives().isEmpty()) {
        return Future.failedFuture(failure);
      }
      Future<Client> next = Future.failedFuture(failure);
      for (ClientCredentials alternative : credentials.alternatives()) {
        next = next.recover(f -> f instanceof InvalidCredentials ? attempt(alternative) : Future.failedFuture(f));
      }
      return next;
    });
  }

  private Future<Client> attempt(ClientCredentials credentials) {
    return lookup(credentials.clientId()).compose(found -> {
      if (found.isEmpty()) {
        // Unknown clients cost an Argon2 check too, so timing does not reveal which ids exist.
        return credentials.secret().isPresent()
            ? hasher.verify(credentials.secret().get(), null).compose(ok -> invalid())
            : invalid();
      }
      Client client = found.get();
      if (!client.confidential()) {
        return credentials.secret().isEmpty() ? Future.succeededFuture(client) : invalid();
      }
      if (credentials.secret().isEmpty()) {
        return invalid();
      }
      String secret = credentials.secret().get();
      String storedHash = client.secretHash().orElseThrow();
      byte[] digest = sha256(secret);
      Verified known = verified.getIfPresent(client.clientId());
      if (known != null && known.storedHash().equals(storedHash) && MessageDigest.isEqual(known.secretDigest(), digest)) {
        return Future.succeededFuture(client);
      }
      return hasher.verify(secret, storedHash).compose(ok -> {
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
    return store.find(clientId).onSuccess(found -> clients.put(clientId, found));
  }

  /** Forget a client after it changed on this node. */
  public void forget(String clientId) {
    clients.invalidate(clientId);
    verified.invalidate(clientId);
  }

  private static <T> Future<T> invalid() {
    return Future.failedFuture(new InvalidCredentials("client authentication failed"));
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
