package dev.tessera.auth;

import dev.tessera.domain.User;
import dev.tessera.store.UserStore;
import io.vertx.core.Future;

import java.util.Optional;

/**
 * Resource-owner password check (RFC 6749 §4.3) with back-off. Unknown users, wrong passwords and
 * disabled users all take one Argon2 check and fail the same way, so neither the answer nor its timing
 * tells an attacker which usernames exist.
 */
public final class UserAuthenticator {
  private final UserStore users;
  private final PasswordHasher hasher;
  private final LoginThrottle throttle;

  public UserAuthenticator(UserStore users, PasswordHasher hasher, LoginThrottle throttle) {
    this.users = users;
    this.hasher = hasher;
    this.throttle = throttle;
  }

  /**
   * One call for every sign-in path (password grant, hosted sign-in page). {@code address} is the
   * client's address as the HTTP layer decided it (trusted proxies applied); the back-off is
   * {@link LoginThrottle}'s: a correct password from an address that never failed on this account is
   * checked even while the account backs off.
   */
  public Future<User> authenticate(String username, String password, String address) {
    String key = User.key(username);
    return throttle.waitFor(key, address).compose(wait -> {
      if (wait.isPresent()) {
        return Future.failedFuture(new Throttled(wait.get()));
      }
      return users.findByUsername(username).compose(found -> hasher
          .verify(password, found.map(User::passwordHash).orElse(null), address)
          .compose(matches -> {
            Optional<User> user = found.filter(u -> matches && !u.disabled());
            if (user.isEmpty()) {
              return throttle.failed(key, address)
                  .compose(v -> Future.failedFuture(new InvalidCredentials("invalid username or password")));
            }
            return throttle.succeeded(key, address).map(user.get());
          }));
    });
  }
}
