package dev.tessera.signin;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.tessera.signin.SignInBrowser.authorizePath;
import static dev.tessera.signin.SignInBrowser.challenge;
import static dev.tessera.signin.SignInBrowser.query;
import static dev.tessera.signin.SignInBrowser.verifier;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authorization code flow with PKCE as a browser without JavaScript and an app see it (issue 12):
 * the hosted page, the code, the exchange, single sign-on, sign-out and revocation of the browser session.
 */
@ExtendWith(VertxExtension.class)
class AuthorizationCodeFlowTest {
  static final String APP = "cf-app";
  static final String REDIRECT = "https://app.example.com/cb";
  static final String USER = "cf-user@example.com";
  static final String PASSWORD = "cf-password-1";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;
  private static String userId;
  private static String rsSecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    userId = http.createUser(admin, USER, PASSWORD, "read", "write").getString("id");
    createCodeClient(http, admin, APP, "read", "write");
    rsSecret = http.createResourceServer(admin, "cf-rs", "read").getString("client_secret");
  }

  static void createCodeClient(TestClient http, String admin, String clientId, String... scopes) {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/clients", new JsonObject().put("client_id", clientId)
        .put("name", "Orders <App> & Co").put("confidential", false)
        .put("grant_types", new JsonArray().add("authorization_code").add("refresh_token"))
        .put("redirect_uris", new JsonArray().add(REDIRECT).add("http://127.0.0.1/cb").add("com.example.app:/cb"))
        .put("scopes", new JsonArray(List.of(scopes))), admin);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  static Map<String, String> request(String clientId, String verifier, String state) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("response_type", "code");
    p.put("client_id", clientId);
    p.put("redirect_uri", REDIRECT);
    p.put("code_challenge", challenge(verifier));
    p.put("code_challenge_method", "S256");
    p.put("scope", "read");
    p.put("state", state);
    return p;
  }

  private HttpResponse<Buffer> exchange(String clientId, String code, String verifier) {
    return http.postForm("/oauth2/token", Map.of("grant_type", "authorization_code", "client_id", clientId,
        "code", code, "redirect_uri", REDIRECT, "code_verifier", verifier));
  }

  @Test
  void aPersonSignsInOnThePageAndTheAppExchangesTheCodeForActiveTokens(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      String verifier = verifier();
      HttpResponse<Buffer> page = browser.get(authorizePath(request(APP, verifier, "xyz-1")));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.getHeader("Content-Type")).startsWith("text/html");
      assertThat(page.bodyAsString()).contains("<form method=\"post\" action=\"/oauth2/authorize\"",
          "name=\"username\"", "name=\"password\"", "Orders &lt;App&gt; &amp; Co", "<label for=\"password\">");

      HttpResponse<Buffer> back = browser.signIn(page, USER, PASSWORD);
      assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(303);
      String location = back.getHeader("Location");
      assertThat(location).startsWith(REDIRECT + "?");
      Map<String, String> result = query(location);
      assertThat(result).containsEntry("state", "xyz-1").containsEntry("iss", node.config().issuer()).containsKey("code");

      HttpResponse<Buffer> tokens = exchange(APP, result.get("code"), verifier);
      assertThat(tokens.statusCode()).as(tokens.bodyAsString()).isEqualTo(200);
      JsonObject body = tokens.bodyAsJsonObject();
      assertThat(body.getString("token_type")).isEqualTo("Bearer");
      assertThat(body.getString("scope")).isEqualTo("read");
      assertThat(body.getString("refresh_token")).startsWith("tsr_");
      assertThat(tokens.getHeader("Cache-Control")).isEqualTo("no-store");

      JsonObject introspection = http.introspect("cf-rs", rsSecret, body.getString("access_token"));
      assertThat(introspection.getBoolean("active")).isTrue();
      assertThat(introspection.getString("username")).isEqualTo(USER);
      assertThat(introspection.getString("client_id")).isEqualTo(APP);
      assertThat(http.refresh(APP, body.getString("refresh_token")).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aSecondAuthorizationInTheSameBrowserIsAnsweredWithoutThePageUnlessLoginIsForced(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      HttpResponse<Buffer> first = browser.signIn(browser.get(authorizePath(request(APP, verifier(), "s1"))), USER, PASSWORD);
      assertThat(first.statusCode()).isEqualTo(303);
      assertThat(browser.cookies).containsKey("tessera_sso");
      assertThat(first.cookies()).anySatisfy(c -> assertThat(c).startsWith("tessera_sso=").containsIgnoringCase("HttpOnly")
          .contains("SameSite=Lax").contains("Path=/oauth2/"));

      String verifier = verifier();
      HttpResponse<Buffer> again = browser.get(authorizePath(request(APP, verifier, "s2")));
      assertThat(again.statusCode()).isEqualTo(302);
      Map<String, String> result = query(again.getHeader("Location"));
      assertThat(result).containsEntry("state", "s2").containsKey("code");
      assertThat(exchange(APP, result.get("code"), verifier).statusCode()).isEqualTo(200);

      Map<String, String> forced = request(APP, verifier(), "s3");
      forced.put("prompt", "login");
      assertThat(browser.get(authorizePath(forced)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void promptNoneWithoutABrowserSessionAnswersLoginRequired(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      Map<String, String> silent = request(APP, verifier(), "quiet");
      silent.put("prompt", "none");
      HttpResponse<Buffer> r = browser.get(authorizePath(silent));
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(query(r.getHeader("Location"))).containsEntry("error", "login_required").containsEntry("state", "quiet")
          .containsEntry("iss", node.config().issuer()).doesNotContainKey("code");
    }
  }

  @Test
  void theBrowserSessionIsListedAndRevokingItEndsSingleSignOn(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port(), "cf-laptop-browser")) {
      assertThat(browser.signIn(browser.get(authorizePath(request(APP, verifier(), "d"))), USER, PASSWORD).statusCode())
          .isEqualTo(303);
      JsonArray sessions = http.json("GET", "/admin/api/users/" + userId + "/sessions", null, admin)
          .bodyAsJsonObject().getJsonArray("items");
      JsonObject web = sessions.stream().map(JsonObject.class::cast)
          .filter(s -> s.getString("device").equals("Web sign-in: cf-laptop-browser")).findFirst().orElseThrow();
      Map<String, String> silent = request(APP, verifier(), "n");
      silent.put("prompt", "none");
      assertThat(query(browser.get(authorizePath(silent)).getHeader("Location"))).containsKey("code");

      assertThat(http.json("DELETE", "/admin/api/sessions/" + web.getString("id"), null, admin).statusCode()).isEqualTo(200);
      assertThat(query(browser.get(authorizePath(silent)).getHeader("Location"))).containsEntry("error", "login_required");
    }
  }

  @Test
  void signingOutEndsTheBrowserSessionAndReturnsOnlyToARegisteredUri(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      assertThat(browser.signIn(browser.get(authorizePath(request(APP, verifier(), "o"))), USER, PASSWORD).statusCode())
          .isEqualTo(303);
      String sso = browser.cookies.get("tessera_sso");
      HttpResponse<Buffer> out = browser.get("/oauth2/logout?client_id=" + APP + "&post_logout_redirect_uri=https://evil.example/");
      assertThat(out.statusCode()).isEqualTo(200);
      assertThat(out.getHeader("Location")).isNull();
      assertThat(browser.cookies).doesNotContainKey("tessera_sso");

      browser.cookies.put("tessera_sso", sso);
      Map<String, String> silent = request(APP, verifier(), "n");
      silent.put("prompt", "none");
      assertThat(query(browser.get(authorizePath(silent)).getHeader("Location"))).containsEntry("error", "login_required");

      HttpResponse<Buffer> back = browser.get("/oauth2/logout?client_id=" + APP + "&post_logout_redirect_uri=" + REDIRECT);
      assertThat(back.statusCode()).isEqualTo(303);
      assertThat(back.getHeader("Location")).isEqualTo(REDIRECT);
    }
  }

  @Test
  void housekeepingRemovesExpiredCodesAndARemovedCodeBuysNothing(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      String verifier = verifier();
      HttpResponse<Buffer> back = browser.signIn(browser.get(authorizePath(request(APP, verifier, "h"))), USER, PASSWORD);
      String code = query(back.getHeader("Location")).get("code");
      // A cut-off past the code's minute: as if housekeeping ran a day after it expired.
      var purged = node.tessera().purgeExpiredBefore(java.time.Instant.now().plusSeconds(120)).await();
      assertThat(purged.codes()).isGreaterThanOrEqualTo(1);
      HttpResponse<Buffer> late = exchange(APP, code, verifier);
      assertThat(late.statusCode()).isEqualTo(400);
      assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    }
  }

  @Test
  void aLoopbackRedirectMatchesOnAnyPortAndAPrivateSchemeIsAccepted(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      for (String uri : List.of("http://127.0.0.1:51234/cb", "http://127.0.0.1/cb", "com.example.app:/cb")) {
        Map<String, String> p = request(APP, verifier(), "l");
        p.put("redirect_uri", uri);
        assertThat(browser.get(authorizePath(p)).statusCode()).as(uri).isEqualTo(200);
      }
    }
  }
}
