package dev.tessera.http;

import dev.tessera.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.Optional;

/** One per event loop: the router over the node's shared services, and the HTTP server. */
public final class HttpVerticle extends VerticleBase {
  private static final String PANEL_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  /** Below Kubernetes' terminationGracePeriodSeconds (30) minus the preStop sleep (5). */
  static final int DRAIN_SECONDS = 15;

  private final Services services;
  private HttpServer server;
  private Draining draining;
  private Optional<ConnectionGuard> guard = Optional.empty();

  public HttpVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    SecurityHeaders securityHeaders = new SecurityHeaders(services.config().tls().isPresent());
    router.route().handler(ctx -> {
      securityHeaders.apply(ctx.response());
      ctx.next();
    });
    router.route().handler(new ClientAddress(services.config().trustedProxies()));
    OAuthRoutes oauth = new OAuthRoutes(services);
    oauth.mount(router);
    Future<Void> signInPages = new AuthorizeRoutes(services).mount(router, vertx);
    VerifyRoute verify = new VerifyRoute(services.gatekeeper());
    verify.mount(router);
    if (services.config().managementPort().isEmpty()) {
      // No management port: one process on a laptop serves metrics and health here, as it always has.
      new OpsRoutes(services).mount(router);
    }
    router.route("/admin/api/*").subRouter(new AdminRoutes(services).router(vertx));
    // vertx-web matches "/admin/" to this route as well: redirect only the bare path, or it loops.
    router.get("/admin").handler(ctx -> {
      if (ctx.request().path().equals("/admin")) {
        ctx.redirect("/admin/");
      } else {
        ctx.next();
      }
    });
    router.route("/admin/*").handler(ctx -> {
      ctx.response().headers().set("Content-Security-Policy", PANEL_CSP).set("Cache-Control", "no-cache");
      ctx.next();
    }).handler(StaticHandler.create("webroot/admin").setCachingEnabled(false).setIndexPage("index.html"));

    HttpServerOptions options = new HttpServerOptions()
        .setPort(services.config().httpPort())
        .setMaxHeaderSize(8 * 1024)
        .setMaxInitialLineLength(4 * 1024)
        .setMaxFormAttributeSize(services.config().maxBodyBytes())
        // Idle = nothing read for 30 s. Not Vert.x's setIdleTimeout (nothing read *or written*): that one hangs
        // a listener on every write to see writes, and Tessera only ever writes in answer to a read, so the two
        // close the same connections.
        .setReadIdleTimeout(30)
        .setCompressionSupported(false)
        // No WebSocket endpoint exists: without these Vert.x leaves the extension handshaker out of every
        // pipeline, and it no longer inspects each request and response for an upgrade (~2 % of a hit).
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
    // HTTP/2 for Envoy's gRPC ext_authz: cleartext with prior knowledge is on by default; over TLS via ALPN.
    services.config().tls().ifPresent(tls -> options.setSsl(true).setUseAlpn(true)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath())));
    server = vertx.createHttpServer(options)
        .connectionHandler(RequestDeadline.onConnection(services.config().requestDeadline().toNanos()))
        .requestHandler(draining = new Draining(new HotPaths(securityHeaders, oauth, verify,
            new ExtAuthzGrpc(vertx, services.gatekeeper()).before(router))));
    return signInPages.compose(v -> server.listen())
        .onSuccess(s -> guard = ConnectionGuard.install(server, services.config()));
  }

  /** Stops accepting connections and lets in-flight requests finish, for at most the drain time. */
  @Override
  public Future<?> stop() {
    guard.ifPresent(ConnectionGuard::refuseNew);
    return server == null ? Future.succeededFuture() : draining.shutdown(vertx, server, DRAIN_SECONDS);
  }

  public int port() {
    return server.actualPort();
  }
}
