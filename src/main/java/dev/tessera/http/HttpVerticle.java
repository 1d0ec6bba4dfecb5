package dev.tessera.http;

import dev.tessera.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.time.Clock;

/** One per event loop: the router over the node's shared services, and the HTTP server. */
public final class HttpVerticle extends VerticleBase {
  private static final String PANEL_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final Services services;
  private HttpServer server;

  public HttpVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(ctx -> {
      ctx.response().headers()
          .set("X-Content-Type-Options", "nosniff")
          .set("Referrer-Policy", "no-referrer")
          .set("X-Frame-Options", "DENY");
      ctx.next();
    });
    new OAuthRoutes(services).mount(router);
    new VerifyRoute(services, Clock.systemUTC()).mount(router);
    new OpsRoutes(services).mount(router);
    router.route("/admin/api/*").subRouter(new AdminRoutes(services).router(vertx));
    router.get("/admin").handler(ctx -> ctx.redirect("/admin/"));
    router.route("/admin/*").handler(ctx -> {
      ctx.response().headers().set("Content-Security-Policy", PANEL_CSP).set("Cache-Control", "no-cache");
      ctx.next();
    }).handler(StaticHandler.create("webroot/admin").setCachingEnabled(false).setIndexPage("index.html"));

    HttpServerOptions options = new HttpServerOptions()
        .setPort(services.config().httpPort())
        .setMaxHeaderSize(8 * 1024)
        .setMaxInitialLineLength(4 * 1024)
        .setMaxFormAttributeSize(services.config().maxBodyBytes())
        .setIdleTimeout(30)
        .setCompressionSupported(false);
    server = vertx.createHttpServer(options).requestHandler(router);
    return server.listen();
  }

  public int port() {
    return server.actualPort();
  }
}
