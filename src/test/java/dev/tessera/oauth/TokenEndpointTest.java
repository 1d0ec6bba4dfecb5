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
import static dev.tessera.testing.TestClient.basicRaw;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /oauth2/token (RFC 6749 §4.3, §4.4, §5): grants, client authentication, scope, errors. */
@ExtendWith(VertxExtension.class)
class TokenEndpointTest {
  private static final String PASSWORD = "carol-password";
  // '+' and '%' survive only if the server form-decodes Basic credentials exactly as RFC 6749 §2.3.1 says.
  private static final String ENCODED_SECRET = "s3cret+with%2Bplus&more=0123456789";
  // '%zz' cannot be form-decoded, so only the raw reading can match.
  private static final String RAW_SECRET = "raw+secret%zz-0123456789";
  // Valid percent-encoding whose decoded form differs: the raw reading must still be tried.
  private static final String AMBIGUOUS_SECRET = "p+q%41r-0123456789abcdef";

  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String serviceSecret;
  private static String carolId;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "te-mobile", "read", "write", "admin");
    http.createPublicClient(admin, "te-narrow", "read");
    http.createConfidentialClient(admin, "te-web", ENCODED_SECRET, "read", "write");
    http.createConfidentialClient(admin, "te-raw", RAW_SECRET, "read");
    http.createConfidentialClient(admin, "te-ambiguous", AMBIGUOUS_SECRET, "read");
    serviceSecret = http.createResourceServer(admin, "te-service", "read", "billing").getString("client_secret");
    carolId = http.createUser(admin, "Carol@Example.com", PASSWORD, "read", "write").getString("id");
  }

  private static Map<String, String> carolPassword() {
    return Map.of("grant_type", "password", "username", "carol@example.com", "password", PASSWORD);
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    var map = new java.util.HashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static void assertOAuthError(HttpResponse<Buffer> r, int status, String error) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("error")).isEqualTo(error);
    assertThat(body.getValue("error_description")).isInstanceOf(String.class);
  }

  // ---- password grant

  @Test
  void passwordGrantForAPublicClientReturnsBearerTokensPerRfc6749() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", with(carolPassword(), "client_id", "te-mobile"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getValue("access_token")).isInstanceOf(String.class);
    assertThat(body.getString("access_token")).startsWith("tsr_");
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getValue("expires_in")).isInstanceOf(Integer.class);
    assertThat(body.getInteger("expires_in")).isEqualTo(900);
    assertThat(body.getString("scope")).isEqualTo("read write");
    assertThat(body.getString("refresh_token")).startsWith("tsr_").isNotEqualTo(body.getString("access_token"));
  }

  @Test
  void usernamesAreComparedCaseInsensitivelyAndReportedAsStored() {
    JsonObject tokens = http.login("te-mobile", "CAROL@EXAMPLE.COM", PASSWORD, "laptop");
    JsonObject answer = http.introspect("te-service", serviceSecret, tokens.getString("access_token"));
    assertThat(answer.getString("username")).isEqualTo("Carol@Example.com");
    assertThat(answer.getString("sub")).isEqualTo(carolId);
  }

  @Test
  void confidentialClientAuthenticatesWithFormEncodedBasicCredentials() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", carolPassword(), basic("te-web", ENCODED_SECRET));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("refresh_token")).startsWith("tsr_");
  }

  @Test
  void confidentialClientAuthenticatesWithRawBasicCredentials() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", carolPassword(), basicRaw("te-raw", RAW_SECRET));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void rawBasicCredentialsThatAlsoFormDecodeStillAuthenticate() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", carolPassword(), basicRaw("te-ambiguous", AMBIGUOUS_SECRET));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void confidentialClientAuthenticatesWithClientSecretPost() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        with(carolPassword(), "client_id", "te-web", "client_secret", ENCODED_SECRET));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void confidentialClientWithoutItsSecretIsAnInvalidClient() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", with(carolPassword(), "client_id", "te-web"));
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
  }

  @Test
  void wrongClientSecretIsAnInvalidClientWithABasicChallenge() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", carolPassword(), basic("te-web", "wrong-secret-0123456789"));
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
  }

  @Test
  void unknownClientIsAnInvalidClient() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", with(carolPassword(), "client_id", "te-nobody"));
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
  }

  @Test
  void requestWithoutAnyClientIdentificationIsAnInvalidClient() {
    assertOAuthError(http.postForm("/oauth2/token", carolPassword()), 401, "invalid_client");
  }

  @Test
  void publicClientPresentingASecretIsAnInvalidClient() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        with(carolPassword(), "client_id", "te-mobile", "client_secret", "anything-0123456789"));
    assertOAuthError(r, 401, "invalid_client");
  }

  @Test
  void usingBasicAndClientSecretPostTogetherIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        with(carolPassword(), "client_secret", ENCODED_SECRET), basic("te-web", ENCODED_SECRET));
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void wrongPasswordIsAnInvalidGrant() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        Map.of("grant_type", "password", "client_id", "te-mobile", "username", "carol@example.com", "password", "nope-nope"));
    assertOAuthError(r, 400, "invalid_grant");
  }

  @Test
  void unknownUserIsTheSameInvalidGrantAsAWrongPassword() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        Map.of("grant_type", "password", "client_id", "te-mobile", "username", "nobody@example.com", "password", "nope-nope"));
    assertOAuthError(r, 400, "invalid_grant");
    assertThat(r.bodyAsJsonObject().getString("error_description")).isEqualTo("invalid username or password");
  }

  // ---- scope

  @Test
  void requestedScopeNarrowsTheGrant() {
    HttpResponse<Buffer> r = http.passwordGrant("te-mobile", "carol@example.com", PASSWORD, "read");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("read");
  }

  @Test
  void withoutAScopeParameterTheGrantIsWhatBothUserAndClientAllow() {
    HttpResponse<Buffer> r = http.passwordGrant("te-narrow", "carol@example.com", PASSWORD, null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("read");
  }

  @Test
  void scopeTheUserDoesNotHoldIsAnInvalidScope() {
    // te-mobile may grant admin; Carol does not hold it.
    assertOAuthError(http.passwordGrant("te-mobile", "carol@example.com", PASSWORD, "read admin"), 400, "invalid_scope");
  }

  @Test
  void scopeTheClientMayNotGrantIsAnInvalidScope() {
    // Carol holds write; te-narrow may grant only read.
    assertOAuthError(http.passwordGrant("te-narrow", "carol@example.com", PASSWORD, "write"), 400, "invalid_scope");
  }

  @Test
  void malformedScopeIsAnInvalidScope() {
    assertOAuthError(http.passwordGrant("te-mobile", "carol@example.com", PASSWORD, "read \"quoted\""), 400, "invalid_scope");
  }

  // ---- client_credentials

  @Test
  void clientCredentialsGrantIssuesAnAccessTokenWithoutARefreshToken() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        basic("te-service", serviceSecret));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("token_type")).isEqualTo("Bearer");
    assertThat(body.getString("scope")).isEqualTo("billing read");
    assertThat(body.containsKey("refresh_token")).isFalse();
    JsonObject answer = http.introspect("te-service", serviceSecret, body.getString("access_token"));
    assertThat(answer.getString("sub")).isEqualTo("te-service");
    assertThat(answer.containsKey("username")).isFalse();
  }

  @Test
  void clientCredentialsGrantHonoursARequestedScope() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "billing"),
        basic("te-service", serviceSecret));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("billing");
  }

  @Test
  void clientCredentialsGrantRejectsScopeBeyondTheClients() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "write"),
        basic("te-service", serviceSecret));
    assertOAuthError(r, 400, "invalid_scope");
  }

  @Test
  void publicClientMayNotUseClientCredentials() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "client_id", "te-mobile"));
    assertOAuthError(r, 400, "unauthorized_client");
  }

  @Test
  void clientMayNotUseAGrantItWasNotRegisteredFor() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", carolPassword(), basic("te-service", serviceSecret));
    assertOAuthError(r, 400, "unauthorized_client");
  }

  // ---- malformed requests (RFC 6749 §5.2)

  @Test
  void unknownGrantTypeIsUnsupported() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "urn:ietf:params:oauth:grant-type:device_code", "client_id", "te-mobile"));
    assertOAuthError(r, 400, "unsupported_grant_type");
  }

  @Test
  void missingGrantTypeIsAnInvalidRequest() {
    assertOAuthError(http.postForm("/oauth2/token", Map.of("client_id", "te-mobile")), 400, "invalid_request");
  }

  @Test
  void missingPasswordIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token",
        Map.of("grant_type", "password", "client_id", "te-mobile", "username", "carol@example.com"));
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void repeatedParameterIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=te-mobile&username=carol%40example.com&password=" + PASSWORD
            + "&scope=read&scope=write", null);
    assertOAuthError(r, 400, "invalid_request");
    assertThat(r.bodyAsJsonObject().getString("error_description")).contains("scope");
  }

  @Test
  void jsonBodyIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", "application/json",
        new JsonObject().put("grant_type", "password").put("client_id", "te-mobile")
            .put("username", "carol@example.com").put("password", PASSWORD).toBuffer(), null);
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void requestWithoutContentTypeIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", null,
        Buffer.buffer("grant_type=password&client_id=te-mobile"), null);
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void formContentTypeWithCharsetIsAccepted() {
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", "application/x-www-form-urlencoded; charset=UTF-8",
        Buffer.buffer("grant_type=password&client_id=te-mobile&username=carol%40example.com&password=" + PASSWORD), null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void formContentTypeInAnyLetterCaseIsAccepted() {
    // Media types are case-insensitive (RFC 9110 §8.3.1); a Turkish-locale lower-casing would turn the I into ı.
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", "APPLICATION/X-WWW-FORM-URLENCODED; Charset=UTF-8",
        Buffer.buffer("grant_type=password&client_id=te-mobile&username=carol%40example.com&password=" + PASSWORD), null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void aContentTypeThatOnlyStartsLikeAFormIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", "application/x-www-form",
        Buffer.buffer("grant_type=password&client_id=te-mobile&username=carol%40example.com&password=" + PASSWORD), null);
    assertOAuthError(r, 400, "invalid_request");
  }
}
