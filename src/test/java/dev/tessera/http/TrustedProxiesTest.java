package dev.tessera.http;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Over real HTTP: the audit log records the address a trusted proxy names, and nobody else can name one. */
@ExtendWith(VertxExtension.class)
class TrustedProxiesTest {

  /** A failed sign-in of a user of its own with the given headers; returns the audited address. */
  private static String auditedAddress(TestClient http, String username, Map<String, String> headers) {
    String admin = http.adminToken();
    http.createPublicClient(admin, "tp-mobile-" + username, "read");
    assertThat(http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "tp-mobile-" + username,
        "username", username, "password", "wrong"), headers).statusCode()).isEqualTo(400);
    return Eventually.await("the login_failed audit row of " + username, Duration.ofSeconds(10),
        () -> http.json("GET", "/admin/api/audit?username=" + username, null, admin).bodyAsJsonObject()
            .getJsonArray("items"), items -> !items.isEmpty()).getJsonObject(0).getString("ip");
  }

  @Test
  void withoutTrustedProxiesForwardingHeadersAreIgnored(Vertx vertx) {
    try (TestNode node = TestNode.start(); TestClient http = new TestClient(vertx, node.port())) {
      assertThat(auditedAddress(http, "tp-spoofer", Map.of("X-Forwarded-For", "203.0.113.50",
          "Forwarded", "for=203.0.113.51"))).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void aTrustedProxyNamesTheClientInForwardedOrXForwardedFor(Vertx vertx) {
    try (TestNode node = TestNode.start(Map.of("TESSERA_TRUSTED_PROXIES", "127.0.0.0/8"));
         TestClient http = new TestClient(vertx, node.port())) {
      assertThat(auditedAddress(http, "tp-forwarded",
          Map.of("Forwarded", "for=192.0.2.9, for=\"[2001:db8::7]:51000\";proto=https"))).isEqualTo("2001:db8::7");
      assertThat(auditedAddress(http, "tp-xff", Map.of("X-Forwarded-For", "192.0.2.9, 198.51.100.42")))
          .isEqualTo("198.51.100.42");
      assertThat(auditedAddress(http, "tp-direct", Map.of())).isEqualTo("127.0.0.1");
    }
  }
}
