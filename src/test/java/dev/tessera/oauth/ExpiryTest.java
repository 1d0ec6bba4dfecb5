package dev.tessera.oauth;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Access tokens stop being active at their expiry, whether the node answers from cache or database. */
@ExtendWith(VertxExtension.class)
class ExpiryTest {
  /**
   * Long enough that a sign-in and the first check complete well inside it on a busy machine (each test
   * asserts the token active before it waits for expiry), short enough to wait out.
   */
  private static final String TTL = "PT6S";
  private static final Duration WELL_PAST_EXPIRY = Duration.ofSeconds(40);
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_ACCESS_TTL", TTL));
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "ex-mobile", "read");
    gatewaySecret = http.createResourceServer(admin, "ex-gateway", "read").getString("client_secret");
    http.createUser(admin, "grace", "grace-password", "read");
  }

  @Test
  void accessTokenLifetimeFollowsTheConfiguredTtl() {
    JsonObject tokens = http.login("ex-mobile", "grace", "grace-password", "tablet");
    assertThat(tokens.getInteger("expires_in")).isEqualTo((int) Duration.parse(TTL).toSeconds());
  }

  @Test
  void expiredAccessTokenIsExactlyInactive() {
    String access = http.login("ex-mobile", "grace", "grace-password", "tablet").getString("access_token");
    // Introspect once so the node caches the token as active; expiry must still win over the cache.
    assertThat(http.introspect("ex-gateway", gatewaySecret, access).getBoolean("active")).isTrue();
    JsonObject answer = Eventually.await("the access token to expire", WELL_PAST_EXPIRY,
        () -> http.introspect("ex-gateway", gatewaySecret, access), a -> !a.getBoolean("active"));
    assertThat(answer).isEqualTo(new JsonObject().put("active", false));
  }

  @Test
  void expiredAccessTokenIsRejectedByForwardAuth() {
    String access = http.login("ex-mobile", "grace", "grace-password", "tablet").getString("access_token");
    assertThat(http.get("/auth/verify", TestClient.bearer(access)).statusCode()).isEqualTo(200);
    var rejected = Eventually.await("forward auth to reject the expired token", WELL_PAST_EXPIRY,
        () -> http.get("/auth/verify", TestClient.bearer(access)), r -> r.statusCode() != 200);
    assertThat(rejected.statusCode()).isEqualTo(401);
    assertThat(rejected.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void refreshTokenOutlivesItsAccessToken() {
    JsonObject tokens = http.login("ex-mobile", "grace", "grace-password", "tablet");
    assertThat(http.isActive("ex-gateway", gatewaySecret, tokens.getString("access_token"))).isTrue();
    Eventually.await("the access token to expire", WELL_PAST_EXPIRY,
        () -> http.isActive("ex-gateway", gatewaySecret, tokens.getString("access_token")), active -> !active);
    var refreshed = http.refresh("ex-mobile", tokens.getString("refresh_token"));
    assertThat(refreshed.statusCode()).as(refreshed.bodyAsString()).isEqualTo(200);
    assertThat(refreshed.bodyAsJsonObject().getString("access_token")).isNotEqualTo(tokens.getString("access_token"));
  }
}
