package dev.tessera.ops;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With TESSERA_MANAGEMENT_PORT set, metrics and health leave the public port: what a gateway or the
 * internet can reach no longer includes the node's internals.
 */
@ExtendWith(VertxExtension.class)
class ManagementPortTest {
  private static TestNode node;
  private static TestClient publicPort;
  private static TestClient managementPort;

  @BeforeAll
  static void start(Vertx vertx) {
    int management = TestNode.freePort();
    node = TestNode.start(Map.of("TESSERA_MANAGEMENT_PORT", management));
    publicPort = new TestClient(vertx, node.port());
    managementPort = new TestClient(vertx, management);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {publicPort, managementPort, node}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // the next one still closes
      }
    }
  }

  @Test
  void metricsAreServedOnTheManagementPortAndParse() {
    HttpResponse<Buffer> r = managementPort.get("/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    Scrape scrape = Scrape.parse(r.bodyAsString());
    assertThat(scrape.names()).contains("tessera_token_cache_size", "tessera_cluster_members",
        "vertx_http_server_requests_total");
  }

  @Test
  void healthIsServedOnTheManagementPort() {
    assertThat(managementPort.get("/health/live", null).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> ready = managementPort.get("/health/ready", null);
    assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("outcome")).isEqualTo("UP");
  }

  @Test
  void thePublicPortNoLongerServesMetricsOrHealth() {
    // Precondition: the public port is up and serving its own endpoints.
    assertThat(publicPort.get("/.well-known/oauth-authorization-server", null).statusCode()).isEqualTo(200);
    assertThat(publicPort.get("/metrics", null).statusCode()).isEqualTo(404);
    assertThat(publicPort.get("/health/live", null).statusCode()).isEqualTo(404);
    assertThat(publicPort.get("/health/ready", null).statusCode()).isEqualTo(404);
  }

  @Test
  void theManagementPortServesNothingElse() {
    assertThat(managementPort.get("/.well-known/oauth-authorization-server", null).statusCode()).isEqualTo(404);
    assertThat(managementPort.get("/admin/", null).statusCode()).isEqualTo(404);
  }
}
