package dev.tessera.oauth;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.token.TokenCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /oauth2/introspect per RFC 7662 and DESIGN §3. */
@ExtendWith(VertxExtension.class)
class IntrospectionTest {
  // Known to the test so it can mint well-formed tokens the node never issued.
  private static final String TOKEN_SECRET = "introspection-test-token-secret-0123456789";
  private static final String INACTIVE = "{\"active\":false}";

  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_TOKEN_SECRET", TOKEN_SECRET));
  private static TestClient http;
  private static String gatewaySecret;
  private static String auditorSecret;
  private static String aliceId;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "mobile", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    // Confidential, but not allowed to introspect.
    auditorSecret = http.json("POST", "/admin/api/clients", new JsonObject().put("client_id", "auditor")
        .put("confidential", true).put("grant_types", new io.vertx.core.json.JsonArray().add("client_credentials"))
        .put("scopes", new io.vertx.core.json.JsonArray().add("read")), admin).bodyAsJsonObject().getString("client_secret");
    aliceId = http.createUser(admin, "Alice@Example.com", "alice-password", "read", "write").getString("id");
  }

  private static String aliceAccessToken() {
    return http.login("mobile", "alice@example.com", "alice-password", "Pixel 8").getString("access_token");
  }

  private static HttpResponse<Buffer> introspectRaw(String token) {
    return http.postForm("/oauth2/introspect", Map.of("token", token), basic("gateway", gatewaySecret));
  }

  private static void assertExactlyInactive(String token) {
    HttpResponse<Buffer> r = introspectRaw(token);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.bodyAsString()).isEqualTo(INACTIVE);
  }

  /** The precondition of every "is inactive" test below: the genuine token is active. */
  private static void assertActive(String token) {
    assertThat(http.introspect("gateway", gatewaySecret, token).getBoolean("active")).as("genuine token active").isTrue();
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
  void activeAnswerUsesTheRfc7662JsonTypes() {
    HttpResponse<Buffer> r = introspectRaw(aliceAccessToken());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject answer = r.bodyAsJsonObject();
    assertThat(answer.getValue("active")).isEqualTo(Boolean.TRUE);
    assertThat(answer.getValue("scope")).isInstanceOf(String.class);
    assertThat(answer.getValue("exp")).isInstanceOfAny(Integer.class, Long.class);
    assertThat(answer.getValue("iat")).isInstanceOfAny(Integer.class, Long.class);
    assertThat(answer.getLong("iat")).isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(answer.getString("sub")).isEqualTo(aliceId);
    assertThat(answer.getString("jti")).matches("[0-9a-f-]{36}");
  }

  @Test
  void eachTokenHasItsOwnJti() {
    String first = http.introspect("gateway", gatewaySecret, aliceAccessToken()).getString("jti");
    String second = http.introspect("gateway", gatewaySecret, aliceAccessToken()).getString("jti");
    assertThat(first).isNotEqualTo(second);
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

  @Test
  void revokedTokenIsExactlyInactive() {
    String access = aliceAccessToken();
    assertActive(access);
    assertThat(http.postForm("/oauth2/revoke", Map.of("token", access, "client_id", "mobile")).statusCode()).isEqualTo(200);
    assertExactlyInactive(access);
  }

  @Test
  void wellFormedTokenTheNodeNeverIssuedIsExactlyInactive() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String unknown = new TokenCodec(TOKEN_SECRET.getBytes(StandardCharsets.UTF_8)).encode(random);
    assertExactlyInactive(unknown);
  }

  @Test
  void garbageIsExactlyInactive() {
    assertExactlyInactive("definitely not a token");
  }

  @Test
  void truncatedTokenIsExactlyInactive() {
    String access = aliceAccessToken();
    assertActive(access);
    assertExactlyInactive(access.substring(0, access.length() - 1));
  }

  @Test
  void tokenWithAWrongCheckTagIsExactlyInactive() {
    String access = aliceAccessToken();
    assertActive(access);
    char last = access.charAt(access.length() - 1);
    assertExactlyInactive(access.substring(0, access.length() - 1) + (last == 'A' ? 'B' : 'A'));
  }

  @Test
  void tokenSignedWithAnotherKeyIsExactlyInactive() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String forged = new TokenCodec("some-other-secret-0123456789-0123456789".getBytes(StandardCharsets.UTF_8)).encode(random);
    assertExactlyInactive(forged);
  }

  @Test
  void refreshTokenIsExactlyInactive() {
    assertExactlyInactive(http.login("mobile", "alice@example.com", "alice-password", "Pixel 8").getString("refresh_token"));
  }

  @Test
  void clientCredentialsTokenHasTheClientAsSubjectAndNoUsername() {
    String access = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("gateway", gatewaySecret))
        .bodyAsJsonObject().getString("access_token");
    JsonObject answer = http.introspect("gateway", gatewaySecret, access);
    assertThat(answer.getBoolean("active")).isTrue();
    assertThat(answer.getString("sub")).isEqualTo("gateway");
    assertThat(answer.getString("client_id")).isEqualTo("gateway");
    assertThat(answer.containsKey("username")).isFalse();
  }

  @Test
  void clientSecretPostIsAcceptedForIntrospection() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect",
        Map.of("token", aliceAccessToken(), "client_id", "gateway", "client_secret", gatewaySecret));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getBoolean("active")).isTrue();
  }

  @Test
  void unauthenticatedCallerGets401() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", aliceAccessToken()));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void callerWithAWrongSecretGets401() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", aliceAccessToken()),
        basic("gateway", "not-the-gateway-secret"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void confidentialClientWithoutIntrospectPermissionGets401() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", aliceAccessToken()),
        basic("auditor", auditorSecret));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void publicClientCannotIntrospect() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", aliceAccessToken(), "client_id", "mobile"));
    assertThat(r.statusCode()).isEqualTo(401);
  }

  @Test
  void missingTokenParameterIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of(), basic("gateway", gatewaySecret));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void repeatedTokenParameterIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/introspect", "token=a&token=b", basic("gateway", gatewaySecret));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
  }

  @Test
  void tokenTypeHintIsAccepted() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect",
        Map.of("token", aliceAccessToken(), "token_type_hint", "refresh_token"), basic("gateway", gatewaySecret));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getBoolean("active")).isTrue();
  }
}
