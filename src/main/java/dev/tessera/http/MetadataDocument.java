package dev.tessera.http;

import dev.tessera.store.ClientStore;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The RFC 8414 metadata document. Anyone may fetch it without credentials, so it is built from the
 * clients table at most once per {@link #TTL} per event loop (the same minute it tells caches to keep
 * it), not on every call, and again as soon as any client changed: client changes reach every node
 * through the revocation path, which counts them in {@code ClientAuthenticator#changeCount} (this
 * node's own change, the broadcast and catch-up alike). One value read and written on one event loop
 * needs no cache library.
 */
final class MetadataDocument {
  static final Duration TTL = Duration.ofSeconds(60);
  /** Scopes that grant power over Tessera itself are not advertised to client developers. */
  private static final Set<String> NOT_ADVERTISED = Set.of("admin");

  private final ClientStore clients;
  private final LongSupplier clientChanges;
  private final String issuer;
  private final Clock clock;
  private Future<Buffer> document;
  private long builtAtMillis;
  /** The change count when the current document's read began: a change during the read rebuilds it next time. */
  private long builtAtChange;

  MetadataDocument(ClientStore clients, LongSupplier clientChanges, String issuer, Clock clock) {
    this.clients = clients;
    this.clientChanges = clientChanges;
    this.issuer = issuer;
    this.clock = clock;
  }

  Future<Buffer> current() {
    long now = clock.millis();
    long changes = clientChanges.getAsLong();
    if (document == null || now - builtAtMillis >= TTL.toMillis() || changes != builtAtChange || document.failed()) {
      builtAtMillis = now;
      builtAtChange = changes;
      document = build();
    }
    return document;
  }

  private Future<Buffer> build() {
    return clients.all().map(all -> {
      JsonArray scopes = new JsonArray(all.stream().flatMap(c -> c.scopes().values().stream())
          .filter(s -> !NOT_ADVERTISED.contains(s)).distinct().sorted().toList());
      JsonArray authMethods = new JsonArray().add("client_secret_basic").add("client_secret_post").add("none");
      return new JsonObject()
          .put("issuer", issuer)
          .put("authorization_endpoint", issuer + "/oauth2/authorize")
          .put("token_endpoint", issuer + "/oauth2/token")
          .put("introspection_endpoint", issuer + "/oauth2/introspect")
          .put("revocation_endpoint", issuer + "/oauth2/revoke")
          .put("grant_types_supported", new JsonArray().add("authorization_code").add("password")
              .add("client_credentials").add("refresh_token"))
          .put("response_types_supported", new JsonArray().add("code"))
          .put("response_modes_supported", new JsonArray().add("query"))
          .put("code_challenge_methods_supported", new JsonArray().add("S256"))
          .put("authorization_response_iss_parameter_supported", true)
          .put("token_endpoint_auth_methods_supported", authMethods)
          .put("introspection_endpoint_auth_methods_supported", new JsonArray().add("client_secret_basic").add("client_secret_post"))
          .put("revocation_endpoint_auth_methods_supported", authMethods)
          .put("scopes_supported", scopes)
          .put("service_documentation", issuer + "/admin/")
          .toBuffer();
    });
  }
}
