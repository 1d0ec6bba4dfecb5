package dev.tessera.oauth;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** GET /.well-known/oauth-authorization-server per RFC 8414. */
@ExtendWith(VertxExtension.class)
class MetadataTest {
  private static final String ISSUER = "https://auth.example.test";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_ISSUER", ISSUER));
  private static TestClient http;
  private static JsonObject metadata;
  private static HttpResponse<Buffer> response;

  @BeforeAll
  static void start() {
    http = node.http();
    http.createPublicClient(http.adminToken(), "md-mobile", "read", "profile");
    response = http.get("/.well-known/oauth-authorization-server", null);
    metadata = response.bodyAsJsonObject();
  }

  @Test
  void metadataIsPublicJson() {
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
  }

  @Test
  void issuerIsTheConfiguredOne() {
    assertThat(metadata.getString("issuer")).isEqualTo(ISSUER);
  }

  @Test
  void endpointsAreAbsoluteUrlsUnderTheIssuer() {
    assertThat(metadata.getString("token_endpoint")).isEqualTo(ISSUER + "/oauth2/token");
    assertThat(metadata.getString("introspection_endpoint")).isEqualTo(ISSUER + "/oauth2/introspect");
    assertThat(metadata.getString("revocation_endpoint")).isEqualTo(ISSUER + "/oauth2/revoke");
    assertThat(metadata.getString("authorization_endpoint")).isEqualTo(ISSUER + "/oauth2/authorize");
  }

  @Test
  void supportedGrantsAreListed() {
    assertThat(metadata.getJsonArray("grant_types_supported").getList())
        .containsExactlyInAnyOrder("authorization_code", "password", "client_credentials", "refresh_token");
  }

  @Test
  void theCodeFlowIsAdvertisedWithS256AndTheIssParameter() {
    assertThat(metadata.getJsonArray("response_types_supported").getList()).containsExactly("code");
    assertThat(metadata.getJsonArray("code_challenge_methods_supported").getList()).containsExactly("S256");
    assertThat(metadata.getBoolean("authorization_response_iss_parameter_supported")).isTrue();
  }

  @Test
  void clientAuthenticationMethodsAreListed() {
    assertThat(metadata.getJsonArray("token_endpoint_auth_methods_supported").getList())
        .contains("client_secret_basic", "client_secret_post", "none");
    assertThat(metadata.getJsonArray("introspection_endpoint_auth_methods_supported").getList())
        .contains("client_secret_basic", "client_secret_post");
    assertThat(metadata.getJsonArray("revocation_endpoint_auth_methods_supported").getList())
        .contains("client_secret_basic", "client_secret_post");
  }

  @Test
  void scopesOfRegisteredClientsAreListedButNotTheAdminScope() {
    assertThat(metadata.getJsonArray("scopes_supported").getList()).contains("read", "profile").doesNotContain("admin");
  }

  private static java.util.List<Object> scopesNow() {
    return http.get("/.well-known/oauth-authorization-server", null).bodyAsJsonObject()
        .getJsonArray("scopes_supported").getList();
  }

  @Test
  void aClientChangeShowsInTheMetadataAtOnceNotAfterTheCacheMinute() {
    // Precondition: the document is cached (fetched in start) and does not list the new scope yet.
    assertThat(scopesNow()).doesNotContain("md-fresh-scope");
    String admin = node.adminToken();
    http.createPublicClient(admin, "md-fresh", "md-fresh-scope");
    // No waiting: the creation travels the revocation path, which this node applies before answering.
    assertThat(scopesNow()).contains("md-fresh-scope");

    assertThat(http.json("DELETE", "/admin/api/clients/md-fresh", null, admin).statusCode()).isEqualTo(204);
    assertThat(scopesNow()).doesNotContain("md-fresh-scope");
  }

  @Test
  void issuerDefaultsToLocalhostAndThePort(Vertx vertx) {
    try (TestNode plain = TestNode.start(); TestClient other = new TestClient(vertx, plain.port())) {
      JsonObject defaults = other.get("/.well-known/oauth-authorization-server", null).bodyAsJsonObject();
      assertThat(defaults.getString("issuer")).isEqualTo("http://localhost:" + plain.port());
      assertThat(defaults.getString("token_endpoint")).isEqualTo("http://localhost:" + plain.port() + "/oauth2/token");
    }
  }
}
