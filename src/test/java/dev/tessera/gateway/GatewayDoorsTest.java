package dev.tessera.gateway;

import dev.tessera.testing.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every HTTP door with a route policy, each called exactly as its gateway calls it: Envoy's HTTP
 * ext_authz (also Istio's envoyExtAuthzHttp and Gateway API ExternalAuth) keeps the original method,
 * appends the original path and query to its path prefix and sends the original Host, Authorization
 * and Content-Length: 0; Traefik and Caddy send X-Forwarded-Method/-Host/-Uri to GET /auth/verify;
 * nginx sends X-Original-Method and X-Original-URI, ingress-nginx X-Original-URL.
 */
@ExtendWith(VertxExtension.class)
class GatewayDoorsTest {
  @TempDir
  static Path dir;
  private static PolicyNode tessera;
  private static TestClient http;
  private static String aliceId;

  @BeforeAll
  static void start(Vertx vertx) {
    tessera = new PolicyNode(vertx, dir);
    http = tessera.http;
    aliceId = tessera.aliceId;
  }

  @AfterAll
  static void stop() {
    tessera.close();
  }

  private static String alice() {
    return tessera.alice();
  }

  /** Envoy HTTP ext_authz with path_prefix /auth/verify: the headers it always sends, nothing else. */
  private static HttpResponse<Buffer> envoy(String method, String host, String path, String authorization) {
    Map<String, String> headers = new HashMap<>();
    headers.put("Host", host);
    headers.put("Content-Length", "0");
    if (authorization != null) {
      headers.put("Authorization", authorization);
    }
    return http.request(method, "/auth/verify" + path, headers);
  }

  private static HttpResponse<Buffer> forwardAuth(Map<String, String> headers) {
    return http.request("GET", "/auth/verify", headers);
  }

  @Test
  void envoyHttpDoorAllowsTheOriginalRequestWithIdentityHeaders() {
    HttpResponse<Buffer> r = envoy("POST", "shop.example.com", "/orders/42?expand=items", bearer(alice()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEqualTo(aliceId);
    assertThat(r.getHeader("X-Auth-Username")).isEqualTo("alice@example.com");
    assertThat(r.getHeader("X-Auth-Client-Id")).isEqualTo("mobile");
    assertThat(r.getHeader("X-Auth-Scope")).isEqualTo("orders:read");
  }

  @Test
  void envoyHttpDoorAppliesTheRuleForTheOriginalMethodAndHost() {
    HttpResponse<Buffer> r = envoy("POST", "api.example.com", "/orders/42", bearer(alice()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"insufficient_scope\"", "orders:write");
    assertThat(envoy("GET", "api.example.com", "/orders/42", bearer(alice())).statusCode()).isEqualTo(200);
  }

  @Test
  void envoyHttpDoorWithoutTokenGetsABareChallenge() {
    HttpResponse<Buffer> r = envoy("DELETE", "api.example.com", "/orders/42", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer").doesNotContain("error=");
  }

  @Test
  void envoyHttpDoorForTheRootPathUsesTheDefault() {
    assertThat(envoy("GET", "api.example.com", "/", bearer(alice())).statusCode()).isEqualTo(200);
    assertThat(envoy("GET", "api.example.com", "/", null).statusCode()).isEqualTo(401);
  }

  @Test
  void deniedRouteIsForbiddenEvenWithAValidToken() {
    String token = alice();
    assertThat(envoy("GET", "api.example.com", "/orders/42", bearer(token)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/internal/metrics", bearer(token));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.getHeader("X-Auth-Subject")).isNull();
  }

  @Test
  void anonymousRouteNeedsNoTokenAndStillSendsAllFourIdentityHeadersEmpty() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/public/catalogue", null);
    assertThat(r.statusCode()).isEqualTo(200);
    for (String h : new String[] {"X-Auth-Subject", "X-Auth-Username", "X-Auth-Client-Id", "X-Auth-Scope"}) {
      assertThat(r.getHeader(h)).as(h).isEmpty();
    }
  }

  @Test
  void anonymousRouteWithAValidTokenCarriesTheIdentity() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/public/catalogue", bearer(alice()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEqualTo(aliceId);
  }

  @Test
  void anonymousRouteWithADeadTokenIsAnsweredAnonymously() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/public/catalogue", bearer("tsr_not-a-real-token"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEmpty();
  }

  @Test
  void traefikAndCaddyForwardedHeadersDecideTheRoute() {
    String token = bearer(alice());
    HttpResponse<Buffer> write = forwardAuth(Map.of("Authorization", token, "X-Forwarded-Method", "POST",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Uri", "/orders/7?x=1"));
    assertThat(write.statusCode()).isEqualTo(403);
    HttpResponse<Buffer> read = forwardAuth(Map.of("Authorization", token, "X-Forwarded-Method", "GET",
        "X-Forwarded-Proto", "https", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Uri", "/orders/7?x=1"));
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.getHeader("X-Auth-Subject")).isEqualTo(aliceId);
    HttpResponse<Buffer> withBody = http.request("POST", "/auth/verify", Map.of("Authorization", token,
        "X-Forwarded-Method", "POST", "X-Forwarded-Host", "api.example.com", "X-Forwarded-Uri", "/orders/7"));
    assertThat(withBody.statusCode()).as("a gateway forwarding the body calls with the original method").isEqualTo(403);
  }

  @Test
  void nginxOriginalMethodAndUriDecideTheRoute() {
    HttpResponse<Buffer> r = forwardAuth(Map.of("Authorization", bearer(alice()), "X-Original-Method", "GET",
        "X-Original-URI", "/internal/debug?verbose=1"));
    assertThat(r.statusCode()).isEqualTo(403);
  }

  @Test
  void ingressNginxOriginalUrlDecidesTheRoute() {
    String token = bearer(alice());
    assertThat(forwardAuth(Map.of("Authorization", token, "X-Original-Method", "PUT",
        "X-Original-URL", "https://api.example.com/orders/9")).statusCode()).isEqualTo(403);
    assertThat(forwardAuth(Map.of("Authorization", token, "X-Original-Method", "PUT",
        "X-Original-URL", "https://shop.example.com/orders/9")).statusCode()).isEqualTo(200);
  }

  @Test
  void encodedDotSegmentsAndDoubleSlashesCannotSlipPastADenyRule() {
    String token = bearer(alice());
    for (String uri : new String[] {"/public/..%2Finternal/x", "/public/%2e%2e/internal/x", "//internal//x",
        "/public/../internal/x", "/internal%2Fx", "/public/%ZZ"}) {
      HttpResponse<Buffer> r = forwardAuth(Map.of("Authorization", token, "X-Forwarded-Method", "GET",
          "X-Forwarded-Uri", uri));
      assertThat(r.statusCode()).as(uri).isEqualTo(403);
    }
  }

  @Test
  void scopeTheGatewayRequiresIsAddedToTheRulesScopes() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/orders/1", bearer(alice()));
    assertThat(r.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> stricter = http.request("GET", "/auth/verify/orders/1",
        Map.of("Host", "api.example.com", "Authorization", bearer(alice()), "X-Tessera-Scope", "orders:write"));
    assertThat(stricter.statusCode()).isEqualTo(403);
    assertThat(stricter.getHeader("WWW-Authenticate")).contains("orders:read orders:write");
    HttpResponse<Buffer> query = forwardAuth(Map.of("Authorization", bearer(alice()), "X-Forwarded-Uri", "/public/x"));
    assertThat(query.statusCode()).isEqualTo(200);
    assertThat(http.get("/auth/verify?scope=orders:write", bearer(alice())).statusCode()).isEqualTo(403);
  }

  @Test
  void behindEnvoyTheClientsOwnScopeQueryIsNotAGatewayRequirement() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/orders/1?scope=%22weird%22", bearer(alice()));
    assertThat(r.statusCode()).isEqualTo(200);
  }

  @Test
  void withoutOriginalRequestHeadersTheDefaultDecides() {
    assertThat(http.get("/auth/verify", bearer(alice())).statusCode()).isEqualTo(200);
    assertThat(http.get("/auth/verify", null).statusCode()).isEqualTo(401);
  }

  @Test
  void clientCredentialsAllowCarriesAnEmptyUsernameHeader() {
    HttpResponse<Buffer> r = envoy("GET", "api.example.com", "/orders/3", bearer(tessera.service()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.getHeader("X-Auth-Subject")).isEqualTo("service");
    assertThat(r.getHeader("X-Auth-Username")).isEmpty();
    assertThat(r.headers().contains("X-Auth-Username")).isTrue();
  }

  @Test
  void decisionsAreCountedByPolicyAndResultWithoutPaths() {
    envoy("GET", "api.example.com", "/internal/secret-path", bearer(alice()));
    String metrics = http.get("/metrics", null).bodyAsString();
    assertThat(metrics).containsPattern("tessera_policy_decisions_total\\{policy=\"deny\",result=\"forbidden\"} [1-9]")
        .containsPattern("tessera_verification_seconds_count\\{endpoint=\"verify\",result=\"denied\",source=\"policy\"} [1-9]")
        .contains("tessera_policy_rules 4.0", "tessera_policy_file_valid 1.0")
        .doesNotContain("secret-path");
  }
}
