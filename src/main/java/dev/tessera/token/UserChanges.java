package dev.tessera.token;

import dev.tessera.domain.Revocation;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import dev.tessera.store.UserStore;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An administrator's change to a user, together with the sessions it invalidates, in one transaction:
 * no moment exists where the change is visible and a session it should have ended still works.
 * Disabling ends every session; so does a new password (someone else may know the old one) unless the
 * administrator explicitly keeps them; removing scopes ends every session holding a removed scope.
 */
public final class UserChanges {
  /** Null fields stay as they are. */
  public record Change(String passwordHash, Scopes scopes, Boolean disabled, boolean keepSessionsOnNewPassword) {
  }

  /** The user after the change, and what ending their sessions did. */
  public record Changed(User user, RevocationOutcome outcome) {
  }

  private static final class NoSuchUser extends RuntimeException {
    NoSuchUser() {
      super("no such user", null, false, false);
    }
  }

  private final UserStore users;
  private final Revoker revoker;

  public UserChanges(UserStore users, Revoker revoker) {
    this.users = users;
    this.revoker = revoker;
  }

  /** Empty when there is no such user (and then nothing was changed). */
  public Future<Optional<Changed>> apply(UUID userId, Change change) {
    AtomicReference<User> updated = new AtomicReference<>();
    return revoker.commit(tx -> users.update(tx, userId, change.passwordHash(), change.scopes(), change.disabled())
            .compose(user -> {
              if (user.isEmpty()) {
                return Future.failedFuture(new NoSuchUser());
              }
              updated.set(user.get());
              return endSessions(tx, userId, change);
            }))
        .map(outcome -> Optional.of(new Changed(updated.get(), outcome)))
        .recover(e -> e instanceof NoSuchUser ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
  }

  private Future<Optional<Revocation>> endSessions(SqlClient tx, UUID userId, Change change) {
    if (Boolean.TRUE.equals(change.disabled())) {
      return revoker.store().revokeUser(tx, userId, RevocationReason.DISABLE);
    }
    if (change.passwordHash() != null && !change.keepSessionsOnNewPassword()) {
      return revoker.store().revokeUser(tx, userId, RevocationReason.ADMIN);
    }
    if (change.scopes() != null) {
      return revoker.store().revokeUserSessionsBeyond(tx, userId, change.scopes(), RevocationReason.ADMIN);
    }
    return Future.succeededFuture(Optional.empty());
  }
}
