package dev.tessera;

import dev.tessera.config.TesseraConfig;
import dev.tessera.domain.AuditEvent;
import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.Scopes;
import dev.tessera.store.Conflict;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * First start (DESIGN §3): with no user yet and {@code TESSERA_ADMIN_PASSWORD} set, create the admin
 * user, the public {@code tessera-admin} client the web panel signs in with (authorization code + PKCE,
 * back to {@code /admin/} on this server), and the public {@code tessera-cli} client for scripts
 * (password grant, scope admin). Data directories from before issue 12 get the same through migration V6.
 */
final class Bootstrap {
  static final String PANEL_CLIENT = "tessera-admin";
  static final String CLI_CLIENT = "tessera-cli";
  /** A path: resolved against TESSERA_ISSUER, so the panel follows the issuer wherever it is served. */
  static final String PANEL_REDIRECT = "/admin/";
  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

  private final Services services;
  private final TesseraConfig config;

  Bootstrap(Services services, TesseraConfig config) {
    this.services = services;
    this.config = config;
  }

  Future<Void> run() {
    return services.userStore().anyExists().compose(any -> {
      if (any) {
        return Future.succeededFuture();
      }
      if (config.adminPassword().isEmpty()) {
        log.warn("no users exist and TESSERA_ADMIN_PASSWORD is not set: nobody can sign in to the admin API yet");
        return Future.succeededFuture();
      }
      Scopes admin = Scopes.of(List.of("admin"));
      return services.hasher().hash(config.adminPassword().get())
          .compose(hash -> services.userStore().insert(config.adminUsername(), hash, admin))
          .compose(user -> {
            log.info("created admin user '{}'", user.username());
            services.audit().record(AuditEvent.of("user_created", user.id(), user.username(), null, null, null));
            return panelClient(admin).compose(v -> client(new Client(CLI_CLIENT, "Tessera command line",
                Optional.empty(), false, EnumSet.of(GrantType.PASSWORD), admin, false, List.of(), null)));
          })
          // Another node bootstrapping at the same moment won the race: same outcome.
          .recover(e -> e instanceof Conflict ? Future.succeededFuture() : Future.failedFuture(e));
    });
  }

  private Future<Void> panelClient(Scopes admin) {
    return client(new Client(PANEL_CLIENT, "Tessera admin panel", Optional.empty(), false,
        EnumSet.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN), admin, false, List.of(PANEL_REDIRECT), null));
  }

  private Future<Void> client(Client client) {
    return services.clientStore().find(client.clientId()).compose(found -> found.isPresent()
        ? Future.succeededFuture()
        : services.clientStore().insert(client).mapEmpty());
  }
}
