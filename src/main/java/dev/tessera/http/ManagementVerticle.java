package dev.tessera.http;

import dev.tessera.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

/**
 * Metrics and health on TESSERA_MANAGEMENT_PORT, apart from the public port: Prometheus and the kubelet
 * reach it, the gateways and the internet do not (a NetworkPolicy names the port). Deployed once; the
 * scrapes and probes it serves are a few requests a second.
 */
public final class ManagementVerticle extends VerticleBase {
  private final Services services;
  private final int port;
  private HttpServer server;

  public ManagementVerticle(Services services, int port) {
    this.services = services;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new OpsRoutes(services).mount(router);
    server = vertx.createHttpServer(new HttpServerOptions().setPort(port).setIdleTimeout(30)
        .setMaxHeaderSize(8 * 1024).setMaxInitialLineLength(4 * 1024)).requestHandler(router);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
