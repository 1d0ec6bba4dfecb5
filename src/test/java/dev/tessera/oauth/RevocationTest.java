package dev.tessera.oauth;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /oauth2/revoke per RFC 7009: a client ends its own sessions, and only its own. */
@ExtendWith(VertxExtension.class)
class RevocationTest {
  private static final String PASSWORD = "heidi-password";
  private static final String WEB_SECRET = "rv-web-secret-0123456789";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "rv-mobile", "read");
    http.createPublicClient(admin, "rv-other", "read");
    http.createConfidentialClient(admin, "rv-web", WEB_SECRET, "read");
    gatewaySecret = http.createResourceServer(admin, "rv-gateway", "read").getString("client_secret");
    http.createUser(admin, "heidi", PASSWORD, "read");
  }

  private static JsonObject signIn() {
    return http.login("rv-mobile", "heidi", PASSWORD, "phone");
  }

  private static HttpResponse<Buffer> revoke(String clientId, String token) {
    return http.postForm("/oauth2/revoke", Map.of("client_id", clientId, "token", token));
  }

  private static boolean active(String token) {
    return http.isActive("rv-gateway", gatewaySecret, token);
  }

  @Test
  void revocationAnswers200WithAnEmptyBody() {
    HttpResponse<Buffer> r = revoke("rv-mobile", signIn().getString("access_token"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body() == null ? 0 : r.body().length()).isZero();
  }

  @Test
  void unknownTokenIsAnswered200() {
    HttpResponse<Buffer> r = revoke("rv-mobile", "tsr_no-such-token");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body() == null ? 0 : r.body().length()).isZero();
  }

  @Test
  void revokingTheAccessTokenEndsTheWholeSession() {
    JsonObject tokens = signIn();
    assertThat(active(tokens.getString("access_token"))).isTrue();
    assertThat(revoke("rv-mobile", tokens.getString("access_token")).statusCode()).isEqualTo(200);
    assertThat(active(tokens.getString("access_token"))).isFalse();
    HttpResponse<Buffer> refresh = http.refresh("rv-mobile", tokens.getString("refresh_token"));
    assertThat(refresh.statusCode()).isEqualTo(400);
    assertThat(refresh.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void revokingTheRefreshTokenEndsTheWholeSession() {
    JsonObject tokens = signIn();
    assertThat(active(tokens.getString("access_token"))).isTrue();
    assertThat(revoke("rv-mobile", tokens.getString("refresh_token")).statusCode()).isEqualTo(200);
    assertThat(active(tokens.getString("access_token"))).isFalse();
    assertThat(http.refresh("rv-mobile", tokens.getString("refresh_token")).statusCode()).isEqualTo(400);
  }

  @Test
  void revokingOneSessionLeavesTheUsersOtherSessionsActive() {
    JsonObject kept = signIn();
    String revoked = signIn().getString("access_token");
    assertThat(active(kept.getString("access_token"))).isTrue();
    assertThat(revoke("rv-mobile", revoked).statusCode()).isEqualTo(200);
    assertThat(active(revoked)).isFalse();
    assertThat(active(kept.getString("access_token"))).isTrue();
  }

  @Test
  void revokingTwiceIsAnswered200() {
    String access = signIn().getString("access_token");
    assertThat(revoke("rv-mobile", access).statusCode()).isEqualTo(200);
    assertThat(revoke("rv-mobile", access).statusCode()).isEqualTo(200);
  }

  @Test
  void clientCannotRevokeAnotherClientsToken() {
    String access = signIn().getString("access_token");
    HttpResponse<Buffer> r = revoke("rv-other", access);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");
    assertThat(active(access)).isTrue();
  }

  @Test
  void confidentialClientRevokesWithBasicCredentials() {
    String access = http.postForm("/oauth2/token", Map.of("grant_type", "password", "username", "heidi", "password", PASSWORD),
        basic("rv-web", WEB_SECRET)).bodyAsJsonObject().getString("access_token");
    assertThat(active(access)).isTrue();
    HttpResponse<Buffer> r = http.postForm("/oauth2/revoke", Map.of("token", access), basic("rv-web", WEB_SECRET));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(active(access)).isFalse();
  }

  @Test
  void confidentialClientWithAWrongSecretCannotRevoke() {
    String access = http.postForm("/oauth2/token", Map.of("grant_type", "password", "username", "heidi", "password", PASSWORD),
        basic("rv-web", WEB_SECRET)).bodyAsJsonObject().getString("access_token");
    HttpResponse<Buffer> r = http.postForm("/oauth2/revoke", Map.of("token", access), basic("rv-web", "wrong-secret-0123456789"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
    assertThat(active(access)).isTrue();
  }

  @Test
  void unauthenticatedRevocationIsRefused() {
    String access = signIn().getString("access_token");
    HttpResponse<Buffer> r = http.postForm("/oauth2/revoke", Map.of("token", access));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    assertThat(active(access)).isTrue();
  }

  @Test
  void missingTokenParameterIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/revoke", Map.of("client_id", "rv-mobile"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }
}
