package dev.tessera.http;

import dev.tessera.Services;
import dev.tessera.auth.Overloaded;
import dev.tessera.domain.AuditEvent;
import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.RevocationReason;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import dev.tessera.metrics.TesseraMetrics.Endpoint;
import dev.tessera.store.Conflict;
import dev.tessera.token.CachedToken;
import dev.tessera.token.RevocationOutcome;
import dev.tessera.token.UserChanges;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.prng.VertxContextPRNG;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/** The JSON admin API (DESIGN §3). Every call needs a bearer token with scope {@code admin}. */
final class AdminRoutes {
  private static final Logger log = LoggerFactory.getLogger(AdminRoutes.class);
  private static final String ADMIN_SCOPE = "admin";
  private static final String CALLER = "tessera.admin";
  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._~@-]{1,100}");
  /**
   * A user's id (a UUID) is the {@code sub} of their tokens, and a client's own tokens carry its client id
   * there: a client named like a user would mint tokens that resource servers read as that user.
   */
  private static final Pattern USER_ID_FORMAT =
      Pattern.compile("\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");
  private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
  private static final int DEFAULT_PAGE = 50;
  private static final int MAX_PAGE = 500;

  private final Services services;
  private final UserChanges userChanges;

  AdminRoutes(Services services) {
    this.services = services;
    this.userChanges = new UserChanges(services.userStore(), services.revoker());
  }

  Router router(io.vertx.core.Vertx vertx) {
    Router api = Router.router(vertx);
    api.route().handler(BodyHandler.create(false).setBodyLimit(services.config().maxBodyBytes()));
    api.route().handler(this::authorize);
    api.post("/users").handler(this::createUser);
    api.get("/me").handler(this::me);
    api.get("/users").handler(this::listUsers);
    api.get("/users/:id").handler(this::getUser);
    api.patch("/users/:id").handler(this::updateUser);
    api.get("/users/:id/sessions").handler(this::sessions);
    api.post("/users/:id/revoke-all").handler(this::revokeAll);
    api.delete("/sessions/:id").handler(this::revokeSession);
    api.post("/clients").handler(this::createClient);
    api.get("/clients").handler(this::listClients);
    api.get("/clients/:clientId").handler(this::getClient);
    api.patch("/clients/:clientId").handler(this::updateClient);
    api.delete("/clients/:clientId").handler(this::deleteClient);
    api.get("/audit").handler(this::audit);
    api.route().handler(ctx -> ctx.fail(Problem.notFound("no such admin API resource")));
    api.route().failureHandler(this::fail);
    return api;
  }

  private void authorize(RoutingContext ctx) {
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.fail(new Problem(401, "Unauthorized", "a bearer token with scope admin is required"));
      return;
    }
    services.verifier().verify(authorization.substring(7).strip(), Endpoint.VERIFY).onSuccess(v -> {
      if (!v.active()) {
        ctx.fail(new Problem(401, "Unauthorized", "the access token is invalid, expired or revoked"));
      } else if (!v.token().scopes().contains(ADMIN_SCOPE)) {
        ctx.fail(new Problem(403, "Forbidden", "the access token lacks scope admin"));
      } else {
        ctx.put(CALLER, v.token());
        ctx.next();
      }
    }).onFailure(ctx::fail);
  }

  /** Who the caller is: the panel signs in with a code and opaque tokens, so it asks here for the name it shows. */
  private void me(RoutingContext ctx) {
    CachedToken caller = ctx.get(CALLER);
    Responses.json(ctx, 200, new JsonObject().put("user_id", caller.userId() == null ? null : caller.userId().toString())
        .put("username", caller.username()).put("client_id", caller.clientId())
        .put("scopes", new JsonArray(caller.scopes().values())));
  }

  // ---- users

  private void createUser(RoutingContext ctx) {
    AdminJson body = AdminJson.of(ctx, Set.of("username", "password", "scopes"));
    String username = username(body.string("username", 1, 254));
    String password = body.string("password", 8, 1024);
    Scopes scopes = body.has("scopes") ? body.scopes("scopes") : Scopes.NONE;
    services.hasher().hash(password)
        .compose(hash -> services.userStore().insert(username, hash, scopes))
        .onSuccess(user -> {
          audit(ctx, "user_created", user.id(), user.username(), new JsonObject().put("scopes", user.scopes().toString()));
          ctx.response().putHeader(HttpHeaders.LOCATION, "/admin/api/users/" + user.id());
          Responses.json(ctx, 201, AdminJson.user(user));
        }).onFailure(ctx::fail);
  }

  private static String username(String candidate) {
    if (!candidate.equals(candidate.strip()) || CONTROL.matcher(candidate).find()) {
      throw Problem.badRequest("\"username\" must not contain control characters or surrounding spaces");
    }
    return candidate;
  }

  private void listUsers(RoutingContext ctx) {
    int limit = limit(ctx);
    UUID after = Optional.ofNullable(query(ctx, "after")).filter(s -> !s.isEmpty())
        .map(s -> uuid(s, Problem.badRequest("\"after\" must be a user id"))).orElse(null);
    String search = query(ctx, "q");
    services.userStore().page(after, search, limit + 1).onSuccess(users -> {
      boolean more = users.size() > limit;
      List<User> page = more ? users.subList(0, limit) : users;
      JsonObject body = new JsonObject()
          .put("items", new JsonArray(page.stream().map(AdminJson::user).toList()))
          .put("next_after", more ? page.get(page.size() - 1).id().toString() : null);
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private void getUser(RoutingContext ctx) {
    findUser(ctx).onSuccess(user -> Responses.json(ctx, 200, AdminJson.user(user))).onFailure(ctx::fail);
  }

  private void updateUser(RoutingContext ctx) {
    UUID id = pathUuid(ctx, "id");
    AdminJson body = AdminJson.of(ctx, Set.of("password", "scopes", "disabled", "revoke_sessions"));
    if (!body.has("password") && !body.has("scopes") && !body.has("disabled")) {
      throw Problem.badRequest("nothing to change: give password, scopes or disabled");
    }
    if (body.has("revoke_sessions") && !body.has("password")) {
      // Sessions holding a removed scope, or of a disabled user, always end: the flag cannot keep them.
      throw Problem.badRequest("\"revoke_sessions\" applies only to a password change");
    }
    String password = body.has("password") ? body.string("password", 8, 1024) : null;
    Scopes scopes = body.has("scopes") ? body.scopes("scopes") : null;
    Boolean disabled = body.has("disabled") ? body.bool("disabled") : null;
    boolean keepSessions = body.has("revoke_sessions") && !body.bool("revoke_sessions");
    Future<String> hash = password == null ? Future.succeededFuture(null) : services.hasher().hash(password);
    hash.compose(passwordHash -> userChanges.apply(id, new UserChanges.Change(passwordHash, scopes, disabled, keepSessions)))
        .map(changed -> {
          UserChanges.Changed c = changed.orElseThrow(() -> Problem.notFound("no such user"));
          JsonObject revocation = revocationBody(c.outcome());
          JsonObject changes = revocation.copy().put("password_changed", password != null);
          if (password != null) {
            changes.put("sessions_kept", keepSessions);
          }
          if (scopes != null) {
            changes.put("scopes", scopes.toString());
          }
          if (disabled != null) {
            changes.put("disabled", disabled);
          }
          audit(ctx, Boolean.TRUE.equals(disabled) ? "user_disabled" : "user_updated", c.user().id(), c.user().username(),
              changes);
          return AdminJson.user(c.user()).mergeIn(revocation);
        }).onSuccess(result -> Responses.json(ctx, 200, result)).onFailure(ctx::fail);
  }

  private void sessions(RoutingContext ctx) {
    findUser(ctx).compose(user -> services.tokenStore().liveSessions(user.id()))
        .onSuccess(sessions -> Responses.json(ctx, 200,
            new JsonObject().put("items", new JsonArray(sessions.stream().map(AdminJson::session).toList()))))
        .onFailure(ctx::fail);
  }

  private void revokeAll(RoutingContext ctx) {
    findUser(ctx).compose(user -> services.revoker().revokeUser(user.id(), RevocationReason.ADMIN).map(outcome -> {
      JsonObject result = revocationBody(outcome);
      audit(ctx, "sessions_revoked", user.id(), user.username(), result.copy().put("scope", "all"));
      return result;
    })).onSuccess(result -> Responses.json(ctx, 200, result)).onFailure(ctx::fail);
  }

  private void revokeSession(RoutingContext ctx) {
    UUID sessionId = pathUuid(ctx, "id");
    services.tokenStore().sessionOwner(sessionId).compose(owner -> {
      if (owner.isEmpty()) {
        return Future.failedFuture(Problem.notFound("no such session"));
      }
      return services.revoker().revokeSessions(List.of(sessionId), RevocationReason.ADMIN).map(outcome -> {
        JsonObject result = revocationBody(outcome);
        audit(ctx, "session_revoked", owner.get().userId(), owner.get().username(),
            result.copy().put("session_id", sessionId.toString()).put("client_id", owner.get().clientId()));
        return result;
      });
    }).onSuccess(result -> Responses.json(ctx, 200, result)).onFailure(ctx::fail);
  }

  private static JsonObject revocationBody(RevocationOutcome outcome) {
    return new JsonObject().put("revoked", outcome.revoked())
        .put("propagation", AdminJson.propagation(outcome.propagation()));
  }

  // ---- clients

  private void createClient(RoutingContext ctx) {
    AdminJson body = AdminJson.of(ctx, Set.of("client_id", "name", "confidential", "grant_types", "scopes",
        "introspect", "client_secret", "redirect_uris"));
    String clientId = body.string("client_id", 1, 100);
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw Problem.badRequest("\"client_id\" may contain only letters, digits and . _ ~ @ -");
    }
    if (USER_ID_FORMAT.matcher(clientId).matches()) {
      throw Problem.badRequest("\"client_id\" must not have the user id (UUID) format: it would be a user's subject");
    }
    String name = body.has("name") ? body.string("name", 1, 200) : clientId;
    boolean confidential = body.bool("confidential");
    EnumSet<GrantType> grants = EnumSet.noneOf(GrantType.class);
    for (String g : body.strings("grant_types")) {
      grants.add(GrantType.fromWire(g).orElseThrow(() ->
          Problem.badRequest("unknown grant type; use authorization_code, password, client_credentials or refresh_token")));
    }
    List<String> redirectUris = body.has("redirect_uris") ? body.redirectUris("redirect_uris") : List.of();
    if (grants.contains(GrantType.AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
      throw Problem.badRequest("the authorization_code grant needs at least one entry in \"redirect_uris\"");
    }
    Scopes scopes = body.has("scopes") ? body.scopes("scopes") : Scopes.NONE;
    boolean introspect = body.has("introspect") && body.bool("introspect");
    if (!confidential && (grants.contains(GrantType.CLIENT_CREDENTIALS) || introspect || body.has("client_secret"))) {
      throw Problem.badRequest("client_credentials, introspection and a client_secret need a confidential client");
    }
    Optional<String> secret = !confidential ? Optional.empty()
        : Optional.of(body.has("client_secret") ? body.string("client_secret", 16, 512) : generateSecret(ctx));
    Future<Optional<String>> hash = secret.isEmpty() ? Future.succeededFuture(Optional.empty())
        : services.hasher().hash(secret.get()).map(Optional::of);
    Client[] created = new Client[1];
    // Announced like a revocation: another node may have cached "no such client" for this id.
    hash.compose(secretHash -> services.revoker().commit(tx -> services.clientStore()
            .insert(tx, new Client(clientId, name, secretHash, confidential, grants, scopes, introspect, redirectUris, null))
            .compose(client -> {
              created[0] = client;
              return services.revoker().store().clientChanged(tx, clientId);
            })))
        .onSuccess(outcome -> {
          audit(ctx, "client_created", null, null, new JsonObject().put("client_id", clientId));
          JsonObject result = AdminJson.client(created[0]);
          secret.ifPresent(s -> result.put("client_secret", s));
          ctx.response().putHeader(HttpHeaders.LOCATION, "/admin/api/clients/" + clientId);
          Responses.json(ctx, 201, result);
        }).onFailure(ctx::fail);
  }

  private static String generateSecret(RoutingContext ctx) {
    return VertxContextPRNG.current(ctx.vertx()).nextString(32);
  }

  private void listClients(RoutingContext ctx) {
    services.clientStore().all().onSuccess(clients -> Responses.json(ctx, 200,
            new JsonObject().put("items", new JsonArray(clients.stream().map(AdminJson::client).toList()))))
        .onFailure(ctx::fail);
  }

  private void getClient(RoutingContext ctx) {
    String clientId = ctx.pathParam("clientId");
    services.clientStore().find(clientId)
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.fail(Problem.notFound("no such client"));
          } else {
            Responses.json(ctx, 200, AdminJson.client(found.get()));
          }
        }).onFailure(ctx::fail);
  }

  /**
   * Changes a client's name, secret or introspect right. A changed secret or right is a revocation of the
   * old one: it is logged and broadcast, and the answer comes once every live node has forgotten the
   * old copy (or the acknowledgement timeout passed). Tokens already issued stay valid; delete the client
   * to end them.
   */
  private void updateClient(RoutingContext ctx) {
    String clientId = ctx.pathParam("clientId");
    AdminJson body = AdminJson.of(ctx, Set.of("name", "client_secret", "rotate_secret", "introspect"));
    if (!body.has("name") && !body.has("client_secret") && !body.has("rotate_secret") && !body.has("introspect")) {
      throw Problem.badRequest("nothing to change: give name, client_secret, rotate_secret or introspect");
    }
    String name = body.has("name") ? body.string("name", 1, 200) : null;
    boolean rotate = body.has("rotate_secret") && body.bool("rotate_secret");
    if (rotate && body.has("client_secret")) {
      throw Problem.badRequest("give client_secret or rotate_secret, not both");
    }
    Optional<String> secret = body.has("client_secret") ? Optional.of(body.string("client_secret", 16, 512))
        : rotate ? Optional.of(generateSecret(ctx)) : Optional.empty();
    Boolean introspect = body.has("introspect") ? body.bool("introspect") : null;
    services.clientStore().find(clientId).compose(found -> {
      Client current = found.orElseThrow(() -> Problem.notFound("no such client"));
      if (!current.confidential() && (secret.isPresent() || Boolean.TRUE.equals(introspect))) {
        throw Problem.badRequest("introspection and a client_secret need a confidential client");
      }
      Future<String> hash = secret.isEmpty() ? Future.succeededFuture(null) : services.hasher().hash(secret.get());
      return hash.compose(secretHash -> services.revoker().commit(tx -> services.clientStore()
          .update(tx, clientId, name, secretHash, introspect)
          .compose(updated -> updated ? services.revoker().store().clientChanged(tx, clientId)
              : Future.failedFuture(Problem.notFound("no such client")))));
    }).compose(outcome -> services.clientStore().find(clientId).map(found -> {
      JsonObject result = AdminJson.client(found.orElseThrow(() -> Problem.notFound("no such client")));
      JsonObject propagation = AdminJson.propagation(outcome.propagation());
      audit(ctx, "client_updated", null, null, new JsonObject().put("client_id", clientId)
          .put("name_changed", name != null).put("secret_changed", secret.isPresent())
          .put("introspect", introspect).put("propagation", propagation));
      secret.ifPresent(s -> result.put("client_secret", s));
      return result.put("propagation", propagation);
    })).onSuccess(result -> Responses.json(ctx, 200, result)).onFailure(ctx::fail);
  }

  private void deleteClient(RoutingContext ctx) {
    String clientId = ctx.pathParam("clientId");
    services.revoker().commit(tx -> services.clientStore().delete(tx, clientId).compose(deleted -> deleted
            ? services.revoker().store().revokeClient(tx, clientId, RevocationReason.ADMIN)
            : Future.failedFuture(Problem.notFound("no such client"))))
        .onSuccess(outcome -> {
          audit(ctx, "client_deleted", null, null, new JsonObject().put("client_id", clientId)
              .put("revoked", outcome.revoked()).put("propagation", AdminJson.propagation(outcome.propagation())));
          ctx.response().setStatusCode(204).end();
        }).onFailure(ctx::fail);
  }

  // ---- audit

  private void audit(RoutingContext ctx) {
    String username = query(ctx, "username");
    services.audit().recent(username == null || username.isBlank() ? null : username, limit(ctx)).onSuccess(events -> {
      JsonArray items = new JsonArray();
      events.forEach(e -> items.add(new JsonObject().put("id", e.id()).put("at", AdminJson.text(e.at()))
          .put("event", e.event()).put("user_id", e.userId() == null ? null : e.userId().toString())
          .put("username", e.username()).put("client_id", e.clientId()).put("ip", e.ip()).put("detail", e.detail())));
      Responses.json(ctx, 200, new JsonObject().put("items", items));
    }).onFailure(ctx::fail);
  }

  // ---- helpers

  private Future<User> findUser(RoutingContext ctx) {
    UUID id = pathUuid(ctx, "id");
    return services.userStore().findById(id)
        .compose(found -> found.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(Problem.notFound("no such user"))));
  }

  private static UUID pathUuid(RoutingContext ctx, String name) {
    return uuid(ctx.pathParam(name), Problem.notFound("no such resource"));
  }

  private static UUID uuid(String text, Problem orElse) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw orElse;
    }
  }

  /** Netty decodes the query string on first read and throws on broken percent-encoding: the caller's 400. */
  private static String query(RoutingContext ctx, String name) {
    try {
      return ctx.request().getParam(name);
    } catch (IllegalArgumentException malformedQuery) {
      throw Problem.badRequest("the query string is not valid percent-encoding");
    }
  }

  private static int limit(RoutingContext ctx) {
    String text = query(ctx, "limit");
    if (text == null || text.isEmpty()) {
      return DEFAULT_PAGE;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_PAGE) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // fall through to the problem below
    }
    throw Problem.badRequest("\"limit\" must be a whole number from 1 to " + MAX_PAGE);
  }

  private void audit(RoutingContext ctx, String event, UUID userId, String username, JsonObject detail) {
    CachedToken caller = ctx.get(CALLER);
    detail.put("by", caller == null ? null : caller.username());
    services.audit().record(AuditEvent.of(event, userId, username, caller == null ? null : caller.clientId(),
        OAuthRoutes.address(ctx), detail));
  }

  private void fail(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (failure instanceof Conflict c) {
      problem = Problem.conflict(c.getMessage());
    } else if (failure instanceof Overloaded) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      problem = new Problem(503, "Service Unavailable", "server busy; retry shortly");
    } else if (failure == null) {
      problem = switch (ctx.statusCode()) {
        case 413 -> new Problem(413, "Content Too Large", "request body too large");
        case 404 -> Problem.notFound("no such admin API resource");
        case 405 -> new Problem(405, "Method Not Allowed", "method not allowed here");
        default -> Problem.badRequest("malformed request");
      };
    } else if (MalformedBody.is(failure)) {
      problem = Problem.badRequest("request body could not be decoded");
    } else if (Unavailable.is(failure)) {
      log.warn("{} {} failed, dependency unavailable: {}", ctx.request().method(), ctx.request().path(), failure.toString());
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      problem = new Problem(503, "Service Unavailable", "storage unavailable; retry shortly");
    } else {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      problem = new Problem(500, "Internal Server Error", "internal error");
    }
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(problem.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.PROBLEM_JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE);
    if (problem.status() == 401) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"tessera\"");
    }
    ctx.response().end(problem.toJson().toBuffer());
  }
}
