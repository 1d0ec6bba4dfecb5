package dev.tessera.http;

import dev.tessera.Services;
import dev.tessera.auth.AddressBusy;
import dev.tessera.auth.InvalidCredentials;
import dev.tessera.auth.Overloaded;
import dev.tessera.auth.Throttled;
import dev.tessera.domain.Client;
import dev.tessera.domain.RedirectUri;
import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import dev.tessera.token.GrantRejected;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.auth.prng.VertxContextPRNG;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Hosted sign-in (DESIGN §7): {@code GET /oauth2/authorize} (RFC 6749 §4.1 + RFC 7636 S256 + RFC 9207),
 * the sign-in form's {@code POST}, the single sign-on cookie, and {@code /oauth2/logout}. The person types
 * the password into Tessera's page, never into the app; the app gets a one-minute, single-use code.
 */
final class AuthorizeRoutes {
  private static final Logger log = LoggerFactory.getLogger(AuthorizeRoutes.class);
  static final String SSO_COOKIE = "tessera_sso";
  static final String CSRF_COOKIE = "tessera_signin";
  static final String CSRF_FIELD = "csrf";
  private static final String GENERIC_FAILURE = "Incorrect username or password.";

  private final Services services;
  private final SignInPage page = new SignInPage();
  private final SignInCsrf csrf;
  private final String issuer;
  private final boolean secureCookies;

  AuthorizeRoutes(Services services) {
    this.services = services;
    this.csrf = new SignInCsrf(services.signIn().formKey());
    this.issuer = services.config().issuer();
    this.secureCookies = services.config().tls().isPresent();
  }

  /** Mounts the routes; the returned future completes once the templates are loaded (off the event loop). */
  Future<Void> mount(Router router, Vertx vertx) {
    router.get("/oauth2/authorize").handler(this::authorize).failureHandler(this::fail);
    router.post("/oauth2/authorize").handler(new FormBody(services.config().maxBodyBytes()))
        .handler(this::signIn).failureHandler(this::fail);
    router.route("/oauth2/logout").method(HttpMethod.GET).method(HttpMethod.POST)
        .handler(this::logout).failureHandler(this::fail);
    router.get("/oauth2/assets/*").handler(StaticHandler.create("webroot/signin").setCachingEnabled(true)
        .setMaxAgeSeconds(3600));
    return vertx.executeBlocking(() -> {
      page.warm();
      return null;
    });
  }

  private void authorize(RoutingContext ctx) {
    MultiMap params = query(ctx);
    AuthorizationRequest.read(params, services.clientStore(), issuer).compose(request -> {
      if (request.forcesLogin()) {
        return showPage(ctx, request, null, null, 200);
      }
      return services.signIn().browserSessions().user(cookie(ctx, SSO_COOKIE)).compose(user -> {
        if (user.isPresent()) {
          return complete(ctx, request, user.get());
        }
        if (request.forbidsPage()) {
          return Future.failedFuture(new AuthorizationError(request, "login_required", "the user is not signed in"));
        }
        return showPage(ctx, request, null, null, 200);
      });
    }).onFailure(ctx::fail);
  }

  private void signIn(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw new SignInProblem(400, "The sign-in form was not sent as a form.");
    }
    MultiMap params = ctx.get(FormBody.PARAMS);
    String address = OAuthRoutes.address(ctx);
    AuthorizationRequest.read(params, services.clientStore(), issuer).compose(request -> {
      if (!csrf.valid(cookie(ctx, CSRF_COOKIE), request.parameters(), AuthorizationRequest.single(params, CSRF_FIELD))) {
        // A cross-site post, a replayed form or an edited hidden field: nothing is checked or issued.
        return Future.failedFuture(new SignInProblem(403,
            "This sign-in form has expired or did not come from this page. Go back to the app and start again."));
      }
      String username = AuthorizationRequest.single(params, "username");
      String password = AuthorizationRequest.single(params, "password");
      if (username == null || password == null) {
        return showPage(ctx, request, username, "Enter your username and password.", 200);
      }
      Client client = request.client();
      return PasswordSignIn.authenticate(services, username, password, client.clientId(), address)
          .compose(user -> startBrowserSession(ctx, request, user, address).compose(v -> complete(ctx, request, user)))
          .recover(e -> {
            if (e instanceof InvalidCredentials) {
              return showPage(ctx, request, username, GENERIC_FAILURE, 200);
            }
            if (e instanceof Throttled t) {
              long seconds = Math.max(1, (t.retryAfter().toMillis() + 999) / 1000);
              ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
              return showPage(ctx, request, username,
                  "Too many failed attempts. Wait " + seconds + " seconds and try again.", 429);
            }
            if (e instanceof AddressBusy) {
              ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
              return showPage(ctx, request, username,
                  "Too many sign-ins from your network are under way. Try again in a moment.", 429);
            }
            return Future.failedFuture(e);
          });
    }).onFailure(ctx::fail);
  }

  /** Replaces any earlier browser session (no session fixation) and sets the single sign-on cookie. */
  private Future<Void> startBrowserSession(RoutingContext ctx, AuthorizationRequest request, User user, String address) {
    var sessions = services.signIn().browserSessions();
    String device = "Web sign-in: " + Optional.ofNullable(DeviceLabel.of(null, ctx.request().getHeader(HttpHeaders.USER_AGENT)))
        .orElse("browser");
    return sessions.end(cookie(ctx, SSO_COOKIE))
        .compose(v -> sessions.start(user, request.client(), device))
        .map(session -> {
          ctx.response().addCookie(cookie(SSO_COOKIE, session.cookie(), "/oauth2/", session.lifetime().toSeconds()));
          PasswordSignIn.succeeded(services, user, request.client().clientId(), address, session.sessionId(),
              user.scopes());
          return null;
        });
  }

  /** The user is known: mint the code and send the browser back (RFC 6749 §4.1.2). */
  private Future<Void> complete(RoutingContext ctx, AuthorizationRequest request, User user) {
    Scopes allowed = user.scopes().intersect(request.client().scopes());
    Scopes scopes = request.scope().orElse(allowed);
    if (!allowed.containsAll(scopes)) {
      return Future.failedFuture(new AuthorizationError(request, "invalid_scope",
          "requested scope is not allowed for this user and client"));
    }
    String device = DeviceLabel.of(request.deviceName().orElse(null), ctx.request().getHeader(HttpHeaders.USER_AGENT));
    return services.signIn().codes().issue(request.client(), request.redirectUri(), request.codeChallenge(), scopes,
        user, device).compose(code -> redirect(ctx, request, Map.of("code", code)));
  }

  private Future<Void> showPage(RoutingContext ctx, AuthorizationRequest request, String username, String error,
                                int status) {
    String nonce = cookie(ctx, CSRF_COOKIE);
    if (nonce == null || !SignInCsrf.NONCE.matcher(nonce).matches()) {
      nonce = VertxContextPRNG.current(ctx.vertx()).nextString(32);
      ctx.response().addCookie(cookie(CSRF_COOKIE, nonce, "/oauth2/authorize", -1));
    }
    Map<String, String> hidden = new TreeMap<>(request.parameters());
    // prompt was honoured by showing this page; posting it back would only make the next step ask again.
    hidden.remove("prompt");
    String value = csrf.value(nonce, hidden);
    hidden.put(CSRF_FIELD, value);
    String html = page.signIn(request.client().name(), hidden, username, error);
    return html(ctx, status, html, request.redirectUri());
  }

  private Future<Void> redirect(RoutingContext ctx, AuthorizationRequest request, Map<String, String> result) {
    Map<String, String> params = new LinkedHashMap<>(result);
    request.state().ifPresent(state -> params.put("state", state));
    params.put("iss", issuer);
    StringBuilder location = new StringBuilder(request.redirectUri()).append(request.redirectUri().contains("?") ? '&' : '?');
    params.forEach((name, value) -> location.append(name).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8)).append('&'));
    location.setLength(location.length() - 1);
    // 303 after the form POST, so the browser follows with a GET and never re-posts the password.
    int status = ctx.request().method() == HttpMethod.POST ? 303 : 302;
    return ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.LOCATION, location.toString())
        .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE)
        .end();
  }

  /**
   * Sign-out (ends the browser session on every node). With a client's registered
   * {@code post_logout_redirect_uri} the browser goes back there; otherwise a page says it is done.
   */
  private void logout(RoutingContext ctx) {
    MultiMap params = query(ctx);
    String clientId = AuthorizationRequest.single(params, "client_id");
    String target = AuthorizationRequest.single(params, "post_logout_redirect_uri");
    Future<Optional<String>> back = clientId == null || target == null ? Future.succeededFuture(Optional.empty())
        : services.clientStore().find(clientId).map(c -> c.filter(client -> RedirectUri.matches(client.redirectUris(),
            target, issuer)).map(client -> target));
    back.compose(redirect -> services.signIn().browserSessions().end(cookie(ctx, SSO_COOKIE)).map(v -> redirect))
        .compose(redirect -> {
          ctx.response().addCookie(cookie(SSO_COOKIE, "", "/oauth2/", 0));
          if (redirect.isPresent()) {
            return ctx.response().setStatusCode(303).putHeader(HttpHeaders.LOCATION, redirect.get())
                .putHeader(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE).end();
          }
          return html(ctx, 200, page.signedOut(), null);
        }).onFailure(ctx::fail);
  }

  private void fail(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof AuthorizationError e) {
      redirect(ctx, e.request(), Map.of("error", e.error(), "error_description", e.getMessage()));
      return;
    }
    int status;
    String message;
    if (failure instanceof SignInProblem p) {
      status = p.status();
      message = p.getMessage();
    } else if (failure instanceof GrantRejected) {
      // The account changed (password, scopes) while this sign-in was under way.
      status = 409;
      message = "Your account changed while you were signing in. Go back to the app and sign in again.";
    } else if (failure instanceof Overloaded || Unavailable.is(failure)) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, "1");
      status = 503;
      message = "Tessera is busy. Try again in a moment.";
    } else if (failure == null || failure instanceof OAuthError || MalformedBody.is(failure)) {
      status = ctx.statusCode() == 413 ? 413 : 400;
      message = "The request could not be read.";
    } else {
      log.error("{} {} failed", ctx.request().method(), ctx.request().path(), failure);
      status = 500;
      message = "Something went wrong on our side. Try again later.";
    }
    html(ctx, status, page.error("Cannot sign in", message), null);
  }

  private Future<Void> html(RoutingContext ctx, int status, String html, String redirectUri) {
    ctx.response().setStatusCode(status).headers()
        .set(HttpHeaders.CONTENT_TYPE, "text/html;charset=UTF-8")
        .set(HttpHeaders.CACHE_CONTROL, Responses.NO_STORE)
        .set("Content-Security-Policy", SignInPage.contentSecurityPolicy(redirectUri));
    return ctx.response().end(html);
  }

  private Cookie cookie(String name, String value, String path, long maxAgeSeconds) {
    Cookie cookie = Cookie.cookie(name, value).setPath(path).setHttpOnly(true).setSecure(secureCookies)
        .setSameSite(CookieSameSite.LAX);
    if (maxAgeSeconds >= 0) {
      cookie.setMaxAge(maxAgeSeconds);
    }
    return cookie;
  }

  private static String cookie(RoutingContext ctx, String name) {
    Cookie cookie = ctx.request().getCookie(name);
    return cookie == null ? null : cookie.getValue();
  }

  /** Netty decodes the query on first read and throws on broken percent-encoding: an error page, not a 500. */
  private static MultiMap query(RoutingContext ctx) {
    try {
      return ctx.queryParams();
    } catch (IllegalArgumentException malformed) {
      throw new SignInProblem(400, "The sign-in link is malformed.");
    }
  }
}
