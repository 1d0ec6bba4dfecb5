package dev.tessera.http;

import dev.tessera.Services;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** What Kubernetes and Prometheus call: liveness, readiness, metrics. */
final class OpsRoutes {
  private final Services services;

  OpsRoutes(Services services) {
    this.services = services;
  }

  void mount(Router router) {
    // Liveness only says the event loop answers; a dead database is a readiness matter, and restarting
    // the pod would not bring it back.
    router.get("/health/live").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .end("{\"status\":\"UP\"}"));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(services.readiness()));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(
        (PrometheusMeterRegistry) services.metrics().registry()));
  }
}
