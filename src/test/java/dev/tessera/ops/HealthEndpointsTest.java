package dev.tessera.ops;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the Kubernetes probes in k8s/deployment.yaml call. */
@ExtendWith(VertxExtension.class)
class HealthEndpointsTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;

  @BeforeAll
  static void start() {
    http = node.http();
  }

  @Test
  void livenessAnswers200WithoutCredentials() {
    HttpResponse<Buffer> r = http.get("/health/live", null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  @Test
  void readinessIsUpWithDatabaseAndRevocationChecksUp() {
    HttpResponse<Buffer> r = http.get("/health/ready", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("outcome")).isEqualTo("UP");
    Map<String, String> checks = new HashMap<>();
    JsonArray list = body.getJsonArray("checks");
    for (int i = 0; i < list.size(); i++) {
      checks.put(list.getJsonObject(i).getString("id"), list.getJsonObject(i).getString("status"));
    }
    assertThat(checks).containsEntry("database", "UP").containsEntry("revocations", "UP");
  }
}
