package dev.tessera.http;

import dev.tessera.Services;
import dev.tessera.auth.AddressBusy;
import dev.tessera.auth.ClientCredentials;
import dev.tessera.auth.InvalidCredentials;
import dev.tessera.auth.Overloaded;
import dev.tessera.auth.Throttled;
import dev.tessera.domain.AuditEvent;
import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import dev.tessera.metrics.TesseraMetrics.Endpoint;
import dev.tessera.store.ClientGone;
import dev.tessera.token.ClientRevocation;
import dev.tessera.token.GrantRejected;
import dev.tessera.token.IssuedTokens;
import dev.tessera.token.ScopeRejected;
import dev.tessera.token.Verification;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The OAuth 2.0 endpoints: token (RFC 6749), introspection (RFC 7662), revocation (RFC 7009) and
 * server metadata (RFC 8414). Handlers parse, call one service, and map the outcome; every error goes
 * through {@link #fail} so the wire format is decided in one place.
 */
final class OAuthRoutes {
  private static final Logger log = LoggerFactory.getLogger(OAuthRoutes.class);

  private final Services services;
  private final MetadataDocument metadata;
  private final FormBody form;
  private final ConnectionClient connectionClient;
  private final IntrospectionResponse introspectionResponse;

  OAuthRoutes(Services services) {
    this.services = services;
    this.connectionClient = new ConnectionClient(services.clients());
    this.introspectionResponse = new IntrospectionResponse(services.config().issuer());
    this.form = new FormBody(services.config().maxBodyBytes());
    this.metadata = new MetadataDocument(services.clientStore(), services.clients()::changeCount,
        services.config().issuer(), java.time.Clock.systemUTC());
  }

  void mount(Router router) {
    FormBody body = form;
    router.post("/oauth2/token").handler(body).handler(this::token).failureHandler(this::fail);
    router.post("/oauth2/introspect").handler(body).handler(this::introspect).failureHandler(this::fail);
    router.post("/oauth2/revoke").handler(body).handler(this::revoke).failureHandler(this::fail);
    router.get("/.well-known/oauth-authorization-server").handler(this::metadata).failureHandler(this::fail);
  }

  private void token(RoutingContext ctx) {
    OAuthForm form = OAuthForm.of(ctx);
    String grantName = form.required("grant_type");
    GrantType grant = GrantType.fromWire(grantName)
        .orElseThrow(() -> OAuthError.unsupportedGrantType(
            "supported grant types are authorization_code, password, client_credentials and refresh_token"));
    Future<IssuedTokens> issued = authenticateClient(ctx, form)
        .compose(client -> services.tokenRate().acquire(client, address(ctx))
            .compose(wait -> wait.isPresent()
                ? Future.failedFuture(OAuthError.rateLimited(wait.get()))
                : grant(ctx, form, grant, client)));
    issued.onSuccess(tokens -> {
      JsonObject body = new JsonObject()
          .put("access_token", tokens.accessToken())
          .put("token_type", "Bearer")
          .put("expires_in", tokens.expiresIn())
          .put("scope", tokens.scopes().toString());
      tokens.refreshToken().ifPresent(r -> body.put("refresh_token", r));
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private Future<IssuedTokens> grant(RoutingContext ctx, OAuthForm form, GrantType grant, Client client) {
    if (!client.allows(grant)) {
      return Future.failedFuture(OAuthError.unauthorizedClient("client may not use the " + grant.wireName() + " grant"));
    }
    return switch (grant) {
      case AUTHORIZATION_CODE -> services.signIn().codes().exchange(client, form.required("code"),
          form.required("redirect_uri"), form.optional("code_verifier").orElse(null));
      case PASSWORD -> passwordGrant(ctx, form, client);
      case CLIENT_CREDENTIALS -> clientCredentialsGrant(ctx, form, client);
      case REFRESH_TOKEN -> services.issuer().refresh(client, form.required("refresh_token"), requestedScope(form));
    };
  }

  private Future<IssuedTokens> passwordGrant(RoutingContext ctx, OAuthForm form, Client client) {
    String username = form.required("username");
    String password = form.required("password");
    Optional<Scopes> requested = requestedScope(form);
    String address = address(ctx);
    return PasswordSignIn.authenticate(services, username, password, client.clientId(), address)
        .recover(e -> Future.failedFuture(e instanceof InvalidCredentials
            ? OAuthError.invalidGrant("invalid username or password") : e))
        .compose(user -> {
          Scopes allowed = user.scopes().intersect(client.scopes());
          Scopes scopes = grantable(requested, allowed);
          return services.issuer().issue(GrantType.PASSWORD, user, client, scopes, device(ctx, form))
              .onSuccess(t -> PasswordSignIn.succeeded(services, user, client.clientId(), address, t.sessionId(),
                  t.scopes()));
        });
  }

  private Future<IssuedTokens> clientCredentialsGrant(RoutingContext ctx, OAuthForm form, Client client) {
    // RFC 6749 §4.4: only confidential clients may use this grant.
    if (!client.confidential()) {
      return Future.failedFuture(OAuthError.unauthorizedClient("client_credentials requires a confidential client"));
    }
    Scopes scopes = grantable(requestedScope(form), client.scopes());
    return services.issuer().issue(GrantType.CLIENT_CREDENTIALS, null, client, scopes, device(ctx, form));
  }

  /** RFC 6749 §3.3: the requested scope must be within what may be granted; absent means all of it. */
  private static Scopes grantable(Optional<Scopes> requested, Scopes allowed) {
    if (requested.isEmpty()) {
      return allowed;
    }
    if (!allowed.containsAll(requested.get())) {
      throw OAuthError.invalidScope("requested scope is not allowed for this user and client");
    }
    return requested.get();
  }

  private static Optional<Scopes> requestedScope(OAuthForm form) {
    try {
      return form.optional("scope").map(Scopes::parse);
    } catch (IllegalArgumentException e) {
      throw OAuthError.invalidScope("scope is malformed: " + e.getMessage());
    }
  }

  private static String device(RoutingContext ctx, OAuthForm form) {
    return DeviceLabel.of(form.optional("device_name").orElse(null), ctx.request().getHeader(HttpHeaders.USER_AGENT));
  }

  private void introspect(RoutingContext ctx) {
    introspect(ctx.request(), OAuthForm.of(ctx), () -> address(ctx));
  }

  /**
   * POST /oauth2/introspect without the router: the hottest request Tessera serves ({@link HotPaths}).
   * Same form reading, same answers and the same error wire format as every other OAuth endpoint.
   */
  void introspect(HttpServerRequest request) {
    form.read(request, new FormBody.Outcome() {
      @Override
      public void params(MultiMap params) {
        OAuthForm parsed;
        try {
          parsed = OAuthForm.of(request, params);
        } catch (OAuthError e) {
          fail(request, e, 400);
          return;
        }
        introspect(request, parsed, () -> ClientAddress.of(request, services.config().trustedProxies()));
      }

      @Override
      public void failed(int status, Throwable failure) {
        fail(request, failure, status);
      }
    });
  }

  /** @param address the caller's address, worked out only if the caller is not already known */
  private void introspect(HttpServerRequest request, OAuthForm form, Supplier<String> address) {
    Future<Verification> verified;
    try {
      Future<Client> caller = introspectingClient(request, form, address);
      // A caller recognised on its connection and a cached token are answered at once, without chaining
      // futures: on a cache hit the combinators cost a tenth of the request.
      verified = caller.succeeded() ? verifyFor(caller.result(), form) : caller.compose(c -> verifyFor(c, form));
    } catch (RuntimeException e) {
      verified = Future.failedFuture(e);
    }
    if (verified.succeeded()) {
      answer(request, verified.result());
    } else {
      verified.onSuccess(verification -> answer(request, verification)).onFailure(e -> fail(request, e, 500));
    }
  }

  private Future<Verification> verifyFor(Client caller, OAuthForm form) {
    if (!caller.introspect()) {
      return Future.failedFuture(OAuthError.invalidClient("client is not allowed to introspect tokens"));
    }
    return services.verifier().verify(form.required("token"), Endpoint.INTROSPECT);
  }

  private void answer(HttpServerRequest request, Verification verification) {
    Responses.json(request.response(), 200, verification.active()
        ? introspectionResponse.active(verification.token())
        : IntrospectionResponse.INACTIVE);
  }

  /**
   * The client asking: remembered for this connection's identical Basic header ({@link ConnectionClient}),
   * else authenticated the full way, and then remembered.
   */
  private Future<Client> introspectingClient(HttpServerRequest request, OAuthForm form, Supplier<String> address) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    // Basic alone: with client_id or client_secret in the form as well, the reader has checks to make.
    boolean basicOnly = authorization != null
        && form.optional("client_id").isEmpty() && form.optional("client_secret").isEmpty();
    if (!basicOnly) {
      return authenticateClient(request, form, address.get());
    }
    Client known = connectionClient.recall(request, authorization);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    // Counted before: a client change heard while this authenticates must void what it remembers.
    long changeCount = services.clients().changeCount();
    return authenticateClient(request, form, address.get())
        .onSuccess(client -> connectionClient.remember(request, authorization, client, changeCount));
  }

  private void revoke(RoutingContext ctx) {
    OAuthForm form = OAuthForm.of(ctx);
    String address = address(ctx);
    authenticateClient(ctx, form).compose(client -> {
      String token = form.required("token");
      return services.clientRevocation().revoke(client, token).onSuccess(outcome -> {
        if (outcome.revoked() > 0) {
          services.audit().record(AuditEvent.of("token_revoked", null, null, client.clientId(), address,
              new JsonObject().put("sessions", outcome.revoked())));
        }
      });
    }).onSuccess(outcome -> {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE).setStatusCode(200).end();
    }).onFailure(ctx::fail);
  }

  private void metadata(RoutingContext ctx) {
    metadata.current().onSuccess(body -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=" + MetadataDocument.TTL.toSeconds()).end(body))
        .onFailure(ctx::fail);
  }

  private Future<Client> authenticateClient(RoutingContext ctx, OAuthForm form) {
    return authenticateClient(ctx.request(), form, address(ctx));
  }

  private Future<Client> authenticateClient(HttpServerRequest request, OAuthForm form, String address) {
    ClientCredentials credentials = ClientCredentialsReader.read(request, form);
    return services.clients().authenticate(credentials, address).recover(e -> {
      if (e instanceof InvalidCredentials || e instanceof Throttled) {
        services.metrics().loginFailure();
        services.audit().recordFailure(AuditEvent.of(e instanceof Throttled ? "client_auth_throttled" : "client_auth_failed",
            null, null, credentials.clientId(), address, null));
      }
      if (e instanceof Throttled t) {
        return Future.failedFuture(OAuthError.clientThrottled(t.retryAfter()));
      }
      return Future.failedFuture(e instanceof InvalidCredentials
          ? OAuthError.invalidClient("client authentication failed") : e);
    });
  }

  /** The client's address (see {@link ClientAddress}: trusted proxies may name it). */
  static String address(RoutingContext ctx) {
    return ClientAddress.of(ctx);
  }

  private void fail(RoutingContext ctx) {
    fail(ctx.request(), ctx.failure(), ctx.statusCode());
  }

  private static void fail(HttpServerRequest request, Throwable failure, int statusCode) {
    OAuthError error = toOAuthError(request, failure, statusCode);
    var response = request.response();
    if (response.ended()) {
      return;
    }
    if (error.status() == 401) {
      response.putHeader("WWW-Authenticate", "Basic realm=\"tessera\"");
    }
    if (error.retryAfterSeconds() != null) {
      response.putHeader(HttpHeaders.RETRY_AFTER, error.retryAfterSeconds());
    }
    Responses.json(response, error.status(), error.toJson().toBuffer());
  }

  private static OAuthError toOAuthError(HttpServerRequest request, Throwable failure, int statusCode) {
    if (failure instanceof OAuthError e) {
      return e;
    }
    if (failure instanceof GrantRejected e) {
      return OAuthError.invalidGrant(e.getMessage());
    }
    if (failure instanceof ClientGone) {
      return OAuthError.invalidClient("client authentication failed");
    }
    if (failure instanceof ScopeRejected e) {
      return OAuthError.invalidScope(e.getMessage());
    }
    if (failure instanceof ClientRevocation.NotOwner e) {
      return OAuthError.unauthorizedClient(e.getMessage());
    }
    if (failure instanceof Throttled e) {
      return OAuthError.throttled(e.retryAfter());
    }
    if (failure instanceof AddressBusy) {
      return OAuthError.addressBusy();
    }
    if (failure instanceof Overloaded) {
      return OAuthError.temporarilyUnavailable("server busy; retry shortly", 1);
    }
    if (failure == null) {
      return switch (statusCode) {
        case 413 -> OAuthError.invalidRequest("request body too large");
        case 400 -> OAuthError.invalidRequest("malformed request body");
        default -> OAuthError.invalidRequest("request could not be processed");
      };
    }
    if (MalformedBody.is(failure)) {
      return OAuthError.invalidRequest("request body is not valid form encoding");
    }
    if (Unavailable.is(failure)) {
      log.warn("{} {} failed, dependency unavailable: {}", request.method(), request.path(), failure.toString());
      return OAuthError.temporarilyUnavailable("storage unavailable; retry shortly", 1);
    }
    log.error("{} {} failed", request.method(), request.path(), failure);
    return OAuthError.serverError();
  }
}
