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

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 6749 §6 refresh with rotation, and reuse detection (OAuth 2.0 Security BCP §4.14.2). */
@ExtendWith(VertxExtension.class)
class RefreshTokenTest {
  private static final String PASSWORD = "dave-password";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "rt-mobile", "read", "write");
    http.createPublicClient(admin, "rt-other", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "rt-gateway", "read").getString("client_secret");
    http.createUser(admin, "dave", PASSWORD, "read", "write");
  }

  private static JsonObject signIn() {
    return http.login("rt-mobile", "dave", PASSWORD, "phone");
  }

  private static boolean active(String token) {
    return http.isActive("rt-gateway", gatewaySecret, token);
  }

  @Test
  void refreshIssuesANewAccessTokenAndANewRefreshToken() {
    JsonObject first = signIn();
    HttpResponse<Buffer> r = http.refresh("rt-mobile", first.getString("refresh_token"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject second = r.bodyAsJsonObject();
    assertThat(second.getString("token_type")).isEqualTo("Bearer");
    assertThat(second.getString("scope")).isEqualTo("read write");
    assertThat(second.getInteger("expires_in")).isEqualTo(900);
    assertThat(second.getString("access_token")).isNotEqualTo(first.getString("access_token"));
    assertThat(second.getString("refresh_token")).startsWith("tsr_").isNotEqualTo(first.getString("refresh_token"));
    assertThat(active(second.getString("access_token"))).isTrue();
  }

  @Test
  void rotatedRefreshTokenCanItselfBeRefreshed() {
    String refresh = signIn().getString("refresh_token");
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> r = http.refresh("rt-mobile", refresh);
      assertThat(r.statusCode()).as("rotation %d: %s", i, r.bodyAsString()).isEqualTo(200);
      refresh = r.bodyAsJsonObject().getString("refresh_token");
    }
  }

  @Test
  void usedRefreshTokenIsRejected() {
    String used = signIn().getString("refresh_token");
    assertThat(http.refresh("rt-mobile", used).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> replay = http.refresh("rt-mobile", used);
    assertThat(replay.statusCode()).isEqualTo(400);
    assertThat(replay.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void replayingAUsedRefreshTokenRevokesTheWholeFamily() {
    JsonObject first = signIn();
    JsonObject newest = http.refresh("rt-mobile", first.getString("refresh_token")).bodyAsJsonObject();
    assertThat(active(newest.getString("access_token"))).isTrue();

    assertThat(http.refresh("rt-mobile", first.getString("refresh_token")).statusCode()).isEqualTo(400);

    assertThat(active(first.getString("access_token"))).isFalse();
    assertThat(active(newest.getString("access_token"))).isFalse();
    HttpResponse<Buffer> newestRefresh = http.refresh("rt-mobile", newest.getString("refresh_token"));
    assertThat(newestRefresh.statusCode()).isEqualTo(400);
    assertThat(newestRefresh.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void reuseInOneSessionLeavesOtherSessionsOfTheUserAlone() {
    JsonObject bystander = signIn();
    JsonObject victim = signIn();
    assertThat(active(bystander.getString("access_token"))).isTrue();
    JsonObject rotated = http.refresh("rt-mobile", victim.getString("refresh_token")).bodyAsJsonObject();
    assertThat(active(rotated.getString("access_token"))).isTrue();
    assertThat(http.refresh("rt-mobile", victim.getString("refresh_token")).statusCode()).isEqualTo(400);
    // The replay did revoke the victim's session, and only that one.
    assertThat(active(rotated.getString("access_token"))).isFalse();
    assertThat(active(bystander.getString("access_token"))).isTrue();
  }

  @Test
  void refreshMayNarrowTheScope() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "rt-mobile",
        "refresh_token", signIn().getString("refresh_token"), "scope", "read"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("read");
  }

  @Test
  void refreshKeepsTheOriginalGrantAfterANarrowedRefresh() {
    String refresh = signIn().getString("refresh_token");
    JsonObject narrowed = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "rt-mobile",
        "refresh_token", refresh, "scope", "read")).bodyAsJsonObject();
    HttpResponse<Buffer> r = http.refresh("rt-mobile", narrowed.getString("refresh_token"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("read write");
  }

  @Test
  void refreshCannotWidenTheScope() {
    JsonObject narrow = http.passwordGrant("rt-mobile", "dave", PASSWORD, "read").bodyAsJsonObject();
    assertThat(narrow.getString("scope")).isEqualTo("read");
    String refresh = narrow.getString("refresh_token");
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "rt-mobile",
        "refresh_token", refresh, "scope", "read write"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_scope");
  }

  @Test
  void refreshTokenOfAnotherClientIsAnInvalidGrant() {
    String refresh = signIn().getString("refresh_token");
    HttpResponse<Buffer> r = http.refresh("rt-other", refresh);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    // The token itself was good, and the refused attempt did not spend it.
    assertThat(http.refresh("rt-mobile", refresh).statusCode()).isEqualTo(200);
  }

  @Test
  void accessTokenPresentedAsARefreshTokenIsAnInvalidGrant() {
    String access = signIn().getString("access_token");
    assertThat(active(access)).isTrue();
    HttpResponse<Buffer> r = http.refresh("rt-mobile", access);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void garbageRefreshTokenIsAnInvalidGrant() {
    HttpResponse<Buffer> r = http.refresh("rt-mobile", "tsr_this-is-not-a-token");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void missingRefreshTokenIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "rt-mobile"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void refreshTokenIsNeverActiveAtIntrospection() {
    JsonObject tokens = signIn();
    assertThat(active(tokens.getString("access_token"))).isTrue();
    assertThat(http.introspect("rt-gateway", gatewaySecret, tokens.getString("refresh_token")))
        .isEqualTo(new JsonObject().put("active", false));
    // Not inactive because it is broken: it still refreshes.
    assertThat(http.refresh("rt-mobile", tokens.getString("refresh_token")).statusCode()).isEqualTo(200);
  }
}
