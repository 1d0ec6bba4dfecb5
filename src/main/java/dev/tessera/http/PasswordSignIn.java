package dev.tessera.http;

import dev.tessera.Services;
import dev.tessera.auth.InvalidCredentials;
import dev.tessera.auth.Throttled;
import dev.tessera.domain.AuditEvent;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * A person's password check, whichever door it comes through (the password grant or the hosted sign-in
 * page): one back-off, one Argon2 pool, the same audit events and {@code tessera_login_failures_total}.
 */
final class PasswordSignIn {
  private PasswordSignIn() {
  }

  static Future<User> authenticate(Services services, String username, String password, String clientId,
                                   String address) {
    return services.users().authenticate(username, password, address).onFailure(e -> {
      // Every refusal counts, throttled ones too: an attack shows in the metric and the audit log
      // even while the back-off keeps it from reaching the password check.
      if (e instanceof InvalidCredentials || e instanceof Throttled) {
        services.metrics().loginFailure();
        services.audit().recordFailure(AuditEvent.of(e instanceof Throttled ? "login_throttled" : "login_failed", null,
            username, clientId, address, null));
      }
    });
  }

  static void succeeded(Services services, User user, String clientId, String address, UUID sessionId, Scopes scopes) {
    services.audit().record(AuditEvent.of("login_succeeded", user.id(), user.username(), clientId, address,
        new JsonObject().put("session_id", sessionId.toString()).put("scope", scopes.toString())));
  }
}
