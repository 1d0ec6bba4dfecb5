package dev.tessera.ops;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP server series the dashboard charts (requests by method and status, response time, requests in
 * flight) count exactly what the node answered, on both the router and the hot-path shortcuts.
 */
@ExtendWith(VertxExtension.class)
class HttpServerSeriesTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static final Duration SETTLE = Duration.ofSeconds(10);
  private static TestClient http;

  @BeforeAll
  static void start() {
    http = node.http();
  }

  @Test
  void requestsAreCountedByMethodAndStatusWithTheirResponseTime() {
    Scrape before = scrape();
    for (int i = 0; i < 3; i++) {
      assertThat(http.get("/auth/verify", TestClient.bearer("tsr_forged")).statusCode()).isEqualTo(401);
    }
    assertThat(http.postForm("/oauth2/introspect", Map.of("token", "tsr_forged")).statusCode()).isEqualTo(401);
    assertThat(http.get("/.well-known/oauth-authorization-server", null).statusCode()).isEqualTo(200);

    // The server ends a request in its metrics once the last byte is written, which can be just after the
    // client has read the answer; so scrape until only the scrape being answered is in flight.
    AtomicInteger probes = new AtomicInteger();
    Scrape after = Eventually.await("every request before the scrape to have ended", SETTLE, () -> {
      probes.incrementAndGet();
      return scrape();
    }, s -> value(s, "vertx_http_server_active_requests", null, null) == 1);
    assertThat(delta(before, after, "vertx_http_server_requests_total", "GET", "401")).isEqualTo(3);
    assertThat(delta(before, after, "vertx_http_server_response_time_seconds_count", "GET", "401")).isEqualTo(3);
    assertThat(delta(before, after, "vertx_http_server_requests_total", "POST", "401")).isEqualTo(1);
    assertThat(delta(before, after, "vertx_http_server_requests_total", "GET", "200"))
        .as("the metadata document, the first scrape and every probe before the last")
        .isEqualTo(1 + 1 + probes.get() - 1);
    assertThat(value(after, "vertx_http_server_response_time_seconds_sum", "GET", "401")).isPositive();
    assertThat(value(after, "vertx_http_server_active_connections", null, null)).isGreaterThanOrEqualTo(1);
    assertThat(value(after, "vertx_http_server_bytes_written_total", null, null)).isPositive();
  }

  private static Scrape scrape() {
    HttpResponse<Buffer> r = http.get("/metrics", null);
    assertThat(r.statusCode()).isEqualTo(200);
    return Scrape.parse(r.bodyAsString());
  }

  private static double delta(Scrape before, Scrape after, String name, String method, String code) {
    return value(after, name, method, code) - value(before, name, method, code);
  }

  private static double value(Scrape scrape, String name, String method, String code) {
    return scrape.samples().stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> method == null || method.equals(s.labels().get("method")) && code.equals(s.labels().get("code")))
        .mapToDouble(s -> Double.parseDouble(s.value()))
        .sum();
  }
}
