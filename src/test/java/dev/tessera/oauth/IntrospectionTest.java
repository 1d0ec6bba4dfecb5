package dev.tessera.oauth;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class IntrospectionTest {
  private static TestNode node;
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start(Vertx vertx) {
    node = TestNode.start();
    http = new TestClient(vertx, node.port());
    String admin = http.adminToken();
    http.createPublicClient(admin, "mobile", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    http.createUser(admin, "Alice@Example.com", "alice-password", "read", "write");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void activeTokenIsDescribedPerRfc7662() {
    JsonObject tokens = http.login("mobile", "alice@example.com", "alice-password", "Pixel 8");
    JsonObject answer = http.introspect("gateway", gatewaySecret, tokens.getString("access_token"));
    assertThat(answer.getBoolean("active")).isTrue();
    assertThat(answer.getString("scope")).isEqualTo("read write");
    assertThat(answer.getString("client_id")).isEqualTo("mobile");
    assertThat(answer.getString("username")).isEqualTo("Alice@Example.com");
    assertThat(answer.getString("token_type")).isEqualTo("Bearer");
    assertThat(answer.getValue("exp")).isInstanceOf(Number.class);
    assertThat(answer.getLong("exp") - answer.getLong("iat")).isEqualTo(900);
    assertThat(answer.getString("jti")).isNotEqualTo(tokens.getString("access_token"));
  }

  @Test
  void revokedTokenIsInactiveImmediately() {
    JsonObject tokens = http.login("mobile", "alice@example.com", "alice-password", "Pixel 8");
    String access = tokens.getString("access_token");
    assertThat(http.introspect("gateway", gatewaySecret, access).getBoolean("active")).isTrue();
    var revoked = http.postForm("/oauth2/revoke", Map.of("token", access, "client_id", "mobile"));
    assertThat(revoked.statusCode()).isEqualTo(200);
    assertThat(http.introspect("gateway", gatewaySecret, access)).isEqualTo(new JsonObject().put("active", false));
  }
}
