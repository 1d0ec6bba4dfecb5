package dev.tessera.verify;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tessera.testing.TestClient.basic;
import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /auth/verify, as nginx auth_request / Traefik ForwardAuth call it (RFC 6750 §3 challenges). */
@ExtendWith(VertxExtension.class)
class ForwardAuthTest {
  private static final Pattern MAX_AGE = Pattern.compile("max-age=(\\d+)");
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String serviceSecret;
  private static String ivanId;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "fa-mobile", "read", "write", "orders");
    serviceSecret = http.createResourceServer(admin, "fa-service", "read").getString("client_secret");
    ivanId = http.createUser(admin, "Ivan@Example.com", "ivan-password", "read", "write").getString("id");
  }

  private static JsonObject signIn() {
    return http.login("fa-mobile", "ivan@example.com", "ivan-password", "browser");
  }

  private static HttpResponse<Buffer> verify(String query, String authorization) {
    return http.get("/auth/verify" + query, authorization);
  }

  @Test
  void activeTokenIsAnswered200WithIdentityHeaders() {
    HttpResponse<Buffer> r = verify("", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEqualTo(ivanId);
    assertThat(r.getHeader("X-Auth-Username")).isEqualTo("Ivan@Example.com");
    assertThat(r.getHeader("X-Auth-Client-Id")).isEqualTo("fa-mobile");
    assertThat(r.getHeader("X-Auth-Scope")).isEqualTo("read write");
  }

  @Test
  void successMayBeCachedByTheGatewayForAtMostOneSecond() {
    HttpResponse<Buffer> r = verify("", bearer(signIn().getString("access_token")));
    String cacheControl = r.getHeader("Cache-Control");
    Matcher m = MAX_AGE.matcher(cacheControl == null ? "" : cacheControl);
    assertThat(m.find()).as("Cache-Control %s has max-age", cacheControl).isTrue();
    assertThat(Long.parseLong(m.group(1))).isLessThanOrEqualTo(1);
  }

  @Test
  void missingAuthorizationGetsABareBearerChallenge() {
    HttpResponse<Buffer> r = verify("", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer").doesNotContain("error=");
  }

  @Test
  void garbageTokenIsAnInvalidToken() {
    HttpResponse<Buffer> r = verify("", bearer("not-a-token"));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer").contains("error=\"invalid_token\"");
  }

  @Test
  void nonBearerSchemeIsAnInvalidToken() {
    HttpResponse<Buffer> r = verify("", basic("fa-service", serviceSecret));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void emptyBearerIsAnInvalidToken() {
    HttpResponse<Buffer> r = verify("", "Bearer ");
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void bearerSchemeIsCaseInsensitive() {
    HttpResponse<Buffer> r = verify("", "bearer " + signIn().getString("access_token"));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void revokedTokenIsAnInvalidToken() {
    String access = signIn().getString("access_token");
    assertThat(verify("", bearer(access)).statusCode()).isEqualTo(200);
    http.postForm("/oauth2/revoke", Map.of("client_id", "fa-mobile", "token", access));
    HttpResponse<Buffer> r = verify("", bearer(access));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void refreshTokenIsNotAcceptedAsAnAccessToken() {
    JsonObject tokens = signIn();
    assertThat(verify("", bearer(tokens.getString("access_token"))).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> r = verify("", bearer(tokens.getString("refresh_token")));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void heldRequiredScopesAreAnswered200() {
    HttpResponse<Buffer> r = verify("?scope=read+write", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void percentEncodedSpaceSeparatesRequiredScopesToo() {
    HttpResponse<Buffer> r = verify("?scope=read%20write", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void missingRequiredScopeIsForbiddenWithInsufficientScope() {
    HttpResponse<Buffer> r = verify("?scope=read+orders", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer").contains("error=\"insufficient_scope\"");
    assertThat(r.getHeader("X-Auth-Subject")).isNull();
  }

  @Test
  void malformedScopeQueryIsRefusedWithoutAServerError() {
    HttpResponse<Buffer> r = verify("?scope=%22quoted%22", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(400);
  }

  @Test
  void clientCredentialsTokenIdentifiesTheClientWithAnEmptyUsername() {
    String access = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("fa-service", serviceSecret))
        .bodyAsJsonObject().getString("access_token");
    HttpResponse<Buffer> r = verify("", bearer(access));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEqualTo("fa-service");
    assertThat(r.getHeader("X-Auth-Client-Id")).isEqualTo("fa-service");
    // Present and empty, so a gateway copying it overwrites whatever the client sent (Caddy, Traefik).
    assertThat(r.getHeader("X-Auth-Username")).isEmpty();
  }

  @Test
  void verificationNeedsNoClientCredentials() {
    // The proxy forwards only the caller's Authorization header (DESIGN §3).
    HttpResponse<Buffer> r = verify("", bearer(signIn().getString("access_token")));
    assertThat(r.statusCode()).isEqualTo(200);
  }
}
