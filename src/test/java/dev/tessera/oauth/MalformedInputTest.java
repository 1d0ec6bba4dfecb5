package dev.tessera.oauth;

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

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** Hostile and broken input gets a standard refusal, never a 500, and writes nothing. */
@ExtendWith(VertxExtension.class)
class MalformedInputTest {
  private static final int MAX_BODY = 4096;
  private static final String SQL_USERNAME = "o'brien\"; drop table users; --@example.com";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_MAX_BODY_BYTES", MAX_BODY));
  private static TestClient http;
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "mi-mobile", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "mi-gateway", "read").getString("client_secret");
    http.createUser(admin, "mi-olga", "olga-password", "read", "write");
    http.createUser(admin, "mi-pavel", "pavel-password", "read");
  }

  private static void assertOAuthError(HttpResponse<Buffer> r, int status, String error) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(error);
  }

  private static int sessionsOf(String username) {
    JsonArray users = http.json("GET", "/admin/api/users?q=" + java.net.URLEncoder.encode(username, StandardCharsets.UTF_8),
        null, admin).bodyAsJsonObject().getJsonArray("items");
    String id = users.getJsonObject(0).getString("id");
    return http.json("GET", "/admin/api/users/" + id + "/sessions", null, admin).bodyAsJsonObject().getJsonArray("items").size();
  }

  @Test
  void oversizedTokenRequestIsAnInvalidRequestAndIssuesNothing() {
    String signIn = "grant_type=password&client_id=mi-mobile&username=mi-pavel&password=pavel-password&device_name=";
    int before = sessionsOf("mi-pavel");
    assertOAuthError(http.postFormBody("/oauth2/token", signIn + "d".repeat(MAX_BODY * 2), null), 400, "invalid_request");
    assertThat(sessionsOf("mi-pavel")).isEqualTo(before);
    // The same sign-in at a normal size does issue, and is counted: the count above could have moved.
    assertThat(http.postFormBody("/oauth2/token", signIn + "phone", null).statusCode()).isEqualTo(200);
    assertThat(sessionsOf("mi-pavel")).isEqualTo(before + 1);
  }

  @Test
  void oversizedIntrospectionRequestIsAnInvalidRequest() {
    assertOAuthError(http.postFormBody("/oauth2/introspect", "token=" + "t".repeat(MAX_BODY * 2), basic("mi-gateway", gatewaySecret)),
        400, "invalid_request");
  }

  @Test
  void overlongParameterIsAnInvalidRequest() {
    // Within the body limit, but longer than any legitimate value.
    String body = "grant_type=password&client_id=mi-mobile&username=" + "u".repeat(MAX_BODY - 200) + "&password=x";
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token", body, null);
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void malformedPercentEncodingIsRefusedWithoutAServerError() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=mi-mobile&username=mi-olga%zz&password=olga-password%", null);
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void truncatedPercentEscapeInTheTokenIsRefusedWithoutAServerError() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/introspect", "token=abc%4", basic("mi-gateway", gatewaySecret));
    assertOAuthError(r, 400, "invalid_request");
  }

  @Test
  void nonUtf8BytesAreRefusedWithoutAServerError() {
    Buffer body = Buffer.buffer("grant_type=password&client_id=mi-mobile&username=mi-")
        .appendBytes(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3})
        .appendString("&password=olga-password");
    HttpResponse<Buffer> r = http.postRaw("/oauth2/token", "application/x-www-form-urlencoded", body, null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isBetween(400, 499);
    assertThat(r.bodyAsJsonObject().getString("error")).isIn("invalid_request", "invalid_grant");
  }

  @Test
  void percentEncodedNonUtf8IsRefusedWithoutAServerError() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=mi-mobile&username=%FF%FE&password=olga-password", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isBetween(400, 499);
  }

  @Test
  void basicHeaderThatIsNotBase64IsAnInvalidClient() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/introspect", Map.of("token", "x"), "Basic !!!not*base64***");
    assertOAuthError(r, 401, "invalid_client");
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
  }

  @Test
  void basicHeaderWithoutAColonIsAnInvalidClient() {
    String header = "Basic " + Base64.getEncoder().encodeToString("mi-gateway".getBytes(StandardCharsets.UTF_8));
    assertOAuthError(http.postForm("/oauth2/introspect", Map.of("token", "x"), header), 401, "invalid_client");
  }

  @Test
  void basicHeaderWithInvalidUtf8IsAnInvalidClient() {
    String header = "Basic " + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, ':', (byte) 0xfe});
    assertOAuthError(http.postForm("/oauth2/introspect", Map.of("token", "x"), header), 401, "invalid_client");
  }

  @Test
  void emptyBasicHeaderIsAnInvalidClient() {
    assertOAuthError(http.postForm("/oauth2/introspect", Map.of("token", "x"), "Basic "), 401, "invalid_client");
  }

  @Test
  void unknownAuthorizationSchemeIsAnInvalidClient() {
    assertOAuthError(http.postForm("/oauth2/introspect", Map.of("token", "x"), "Digest username=\"mi-gateway\""),
        401, "invalid_client");
  }

  @Test
  void hugeScopeListIsAnInvalidScope() {
    String scopes = IntStream.range(0, 200).mapToObj(i -> "s" + i).collect(Collectors.joining(" "));
    HttpResponse<Buffer> r = http.passwordGrant("mi-mobile", "mi-olga", "olga-password", scopes);
    assertOAuthError(r, 400, "invalid_scope");
  }

  @Test
  void scopeParameterBeyondTheValueLimitIsAnInvalidRequest() {
    HttpResponse<Buffer> r = http.passwordGrant("mi-mobile", "mi-olga", "olga-password", "read ".repeat(900));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isIn("invalid_request", "invalid_scope");
  }

  @Test
  void hugeRequiredScopeListAtForwardAuthIsRefusedWithoutAServerError() {
    String access = http.login("mi-mobile", "mi-olga", "olga-password", "phone").getString("access_token");
    String scopes = IntStream.range(0, 200).mapToObj(i -> "s" + i).collect(Collectors.joining("+"));
    HttpResponse<Buffer> r = http.get("/auth/verify?scope=" + scopes, TestClient.bearer(access));
    assertThat(r.statusCode()).isIn(400, 403);
  }

  @Test
  void sqlMetacharactersInAUsernameAreJustCharacters() {
    JsonObject created = http.createUser(admin, SQL_USERNAME, "quote-password", "read");
    assertThat(created.getString("username")).isEqualTo(SQL_USERNAME);
    JsonObject tokens = http.login("mi-mobile", SQL_USERNAME.toUpperCase(), "quote-password", "phone");
    assertThat(http.introspect("mi-gateway", gatewaySecret, tokens.getString("access_token")).getString("username"))
        .isEqualTo(SQL_USERNAME);
    JsonArray found = http.json("GET", "/admin/api/users?q=" + java.net.URLEncoder.encode("'brien\"; drop", StandardCharsets.UTF_8),
        null, admin).bodyAsJsonObject().getJsonArray("items");
    assertThat(found.size()).isEqualTo(1);
  }

  @Test
  void sqlMetacharactersInASignInAreAnOrdinaryFailure() {
    HttpResponse<Buffer> r = http.passwordGrant("mi-mobile", "' or '1'='1", "' or '1'='1", null);
    assertOAuthError(r, 400, "invalid_grant");
  }

  @Test
  void likeWildcardsInTheUserSearchMatchLiterally() {
    assertThat(http.json("GET", "/admin/api/users", null, admin).bodyAsJsonObject().getJsonArray("items"))
        .as("users a wildcard would match").isNotEmpty();
    JsonArray found = http.json("GET", "/admin/api/users?q=%25", null, admin).bodyAsJsonObject().getJsonArray("items");
    assertThat(found).isEmpty();
  }

  @Test
  void controlCharactersInTheDeviceNameDoNotBreakSignIn() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mi-mobile",
        "username", "mi-olga", "password", "olga-password", "device_name", "evil\r\nX-Injected: 1\u0000"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Injected")).isNull();
  }

  @Test
  void malformedPercentEncodingInTheRequiredScopeIsRefusedWithoutAServerError() {
    String access = http.login("mi-mobile", "mi-olga", "olga-password", "phone").getString("access_token");
    assertThat(http.get("/auth/verify?scope=read%zz", TestClient.bearer(access)).statusCode()).isEqualTo(400);
  }

  @Test
  void malformedPercentEncodingInAnAdminQueryIsA400Problem() {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/users?q=%zz", null, admin);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void getOnTheTokenEndpointIsNotAServerError() {
    HttpResponse<Buffer> r = http.get("/oauth2/token?grant_type=password", null);
    assertThat(r.statusCode()).isBetween(400, 499);
  }
}
