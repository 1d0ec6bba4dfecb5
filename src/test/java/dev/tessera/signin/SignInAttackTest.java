package dev.tessera.signin;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.tessera.signin.AuthorizationCodeFlowTest.REDIRECT;
import static dev.tessera.signin.AuthorizationCodeFlowTest.request;
import static dev.tessera.signin.SignInBrowser.authorizePath;
import static dev.tessera.signin.SignInBrowser.query;
import static dev.tessera.signin.SignInBrowser.verifier;
import static org.assertj.core.api.Assertions.assertThat;

/** The attacks of issue 12 item 8, each answered the standard way with nothing issued. */
@ExtendWith(VertxExtension.class)
class SignInAttackTest {
  private static final String APP = "sa-app";
  private static final String OTHER_APP = "sa-other";
  private static final String USER = "sa-user";
  private static final String PASSWORD = "sa-password-1";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;
  private static String rsSecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createUser(admin, USER, PASSWORD, "read");
    AuthorizationCodeFlowTest.createCodeClient(http, admin, APP, "read");
    AuthorizationCodeFlowTest.createCodeClient(http, admin, OTHER_APP, "read");
    rsSecret = http.createResourceServer(admin, "sa-rs", "read").getString("client_secret");
  }

  /** Signs in on the page and returns the code from the redirect. */
  private static String code(SignInBrowser browser, String verifier) {
    HttpResponse<Buffer> back = browser.signIn(browser.get(authorizePath(request(APP, verifier, "st"))), USER, PASSWORD);
    assertThat(back.statusCode()).as(back.bodyAsString()).isEqualTo(303);
    return query(back.getHeader("Location")).get("code");
  }

  private static HttpResponse<Buffer> exchange(String clientId, String code, String verifier) {
    Map<String, String> form = new HashMap<>(Map.of("grant_type", "authorization_code", "client_id", clientId,
        "code", code, "redirect_uri", REDIRECT));
    if (verifier != null) {
      form.put("code_verifier", verifier);
    }
    return http.postForm("/oauth2/token", form);
  }

  private static void assertRefused(HttpResponse<Buffer> r, String error) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo(error);
    assertThat(r.bodyAsJsonObject().containsKey("access_token")).isFalse();
  }

  @Test
  void aReplayedCodeIsRefusedAndRevokesTheTokensItsFirstUseBought(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      String verifier = verifier();
      String code = code(browser, verifier);
      JsonObject first = exchange(APP, code, verifier).bodyAsJsonObject();
      String access = first.getString("access_token");
      assertThat(http.isActive("sa-rs", rsSecret, access)).isTrue();

      assertRefused(exchange(APP, code, verifier), "invalid_grant");
      assertThat(http.isActive("sa-rs", rsSecret, access)).isFalse();
      assertRefused(http.refresh(APP, first.getString("refresh_token")), "invalid_grant");
    }
  }

  @Test
  void aCodePresentedByAnotherClientIsRefused(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      String verifier = verifier();
      String code = code(browser, verifier);
      assertRefused(exchange(OTHER_APP, code, verifier), "invalid_grant");
      assertThat(exchange(APP, code, verifier).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aWrongOrMissingCodeVerifierIsRefused(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      String verifier = verifier();
      String code = code(browser, verifier);
      assertRefused(exchange(APP, code, verifier()), "invalid_grant");
      assertRefused(exchange(APP, code, null), "invalid_grant");
      assertRefused(exchange(APP, code, "short"), "invalid_grant");
      HttpResponse<Buffer> wrongRedirect = http.postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
          "client_id", APP, "code", code, "redirect_uri", "http://127.0.0.1:9/cb", "code_verifier", verifier));
      assertRefused(wrongRedirect, "invalid_grant");
      assertThat(exchange(APP, code, verifier).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void plainOrMissingPkceIsRefusedWithARedirectCarryingTheError(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      Map<String, String> plain = request(APP, verifier(), "p");
      plain.put("code_challenge_method", "plain");
      Map<String, String> none = request(APP, verifier(), "p");
      none.remove("code_challenge_method");
      none.remove("code_challenge");
      Map<String, String> implicit = request(APP, verifier(), "p");
      implicit.put("response_type", "token");
      for (var params : List.of(plain, none, implicit)) {
        HttpResponse<Buffer> r = browser.get(authorizePath(params));
        assertThat(r.statusCode()).isEqualTo(302);
        Map<String, String> answer = query(r.getHeader("Location"));
        assertThat(answer.get("error")).isIn("invalid_request", "unsupported_response_type");
        assertThat(answer).containsEntry("state", "p").containsEntry("iss", node.config().issuer()).doesNotContainKey("code");
      }
    }
  }

  @Test
  void anUnregisteredRedirectUriOrUnknownClientGetsAnErrorPageNeverARedirect(Vertx vertx) {
    List<String> attempts = List.of(
        "https://app.example.com/c",              // prefix
        "https://app.example.com/cb/more",        // suffix
        "https://app.example.com/cb?x=1",         // extra query
        "https://evil.example/cb",                // other host: the open redirect
        "https://app.example.com.evil.example/cb",
        "https://app.example.com:8443/cb",        // other port on a non-loopback URI
        "https://app.example.com/cb#frag",        // fragment
        "http://app.example.com/cb",              // other scheme
        "http://localhost:5555/cb");              // loopback by name is not the registered IP
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      for (String uri : attempts) {
        Map<String, String> p = request(APP, verifier(), "r");
        p.put("redirect_uri", uri);
        HttpResponse<Buffer> r = browser.get(authorizePath(p));
        assertThat(r.statusCode()).as(uri).isEqualTo(400);
        assertThat(r.getHeader("Location")).as(uri).isNull();
        assertThat(r.bodyAsString()).as(uri).contains("Cannot sign in").doesNotContain("evil");
      }
      HttpResponse<Buffer> unknown = browser.get(authorizePath(request("no-such-app", verifier(), "r")));
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(unknown.getHeader("Location")).isNull();
    }
  }

  @Test
  void aCrossSiteFormPostWithoutTheCsrfValueSignsNobodyIn(Vertx vertx) {
    try (SignInBrowser attacker = new SignInBrowser(vertx, node.port());
         SignInBrowser victim = new SignInBrowser(vertx, node.port())) {
      Map<String, String> forged = new HashMap<>(request(APP, verifier(), "x"));
      forged.put("username", USER);
      forged.put("password", PASSWORD);
      HttpResponse<Buffer> noToken = attacker.post("/oauth2/authorize", forged);
      assertThat(noToken.statusCode()).isEqualTo(403);
      assertThat(noToken.getHeader("Location")).isNull();

      // A form value from one browser is worthless without that browser's cookie...
      Map<String, String> stolen = SignInBrowser.hiddenFields(victim.get(authorizePath(request(APP, verifier(), "x")))
          .bodyAsString());
      stolen.put("username", USER);
      stolen.put("password", PASSWORD);
      assertThat(attacker.post("/oauth2/authorize", stolen).statusCode()).isEqualTo(403);
      // ...and is bound to its own request: editing a hidden field breaks it.
      stolen.put("scope", "read read");
      assertThat(victim.post("/oauth2/authorize", stolen).statusCode()).isEqualTo(403);
      assertThat(attacker.cookies).doesNotContainKey("tessera_sso");
      assertThat(victim.cookies).doesNotContainKey("tessera_sso");
    }
  }

  @Test
  void scriptInEveryReflectedParameterIsEscaped(Vertx vertx) {
    String script = "\"><script>alert(1)</script>";
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      Map<String, String> p = request(APP, verifier(), script);
      p.put("device_name", script);
      HttpResponse<Buffer> page = browser.get(authorizePath(p));
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.bodyAsString()).doesNotContain("<script").contains("&lt;script&gt;");
      assertThat(SignInBrowser.hiddenFields(page.bodyAsString())).containsEntry("state", script);
      HttpResponse<Buffer> again = browser.signIn(page, script, "wrong-password");
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.bodyAsString()).doesNotContain("<script").contains("Incorrect username or password.");
      Map<String, String> bad = request(APP, verifier(), script);
      bad.put("scope", script);
      assertThat(query(browser.get(authorizePath(bad)).getHeader("Location"))).containsEntry("state", script)
          .containsEntry("error", "invalid_scope");
    }
  }

  @Test
  void thePageRefusesToBeFramedAndRunsNoScript(Vertx vertx) {
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      HttpResponse<Buffer> page = browser.get(authorizePath(request(APP, verifier(), "f")));
      String csp = page.getHeader("Content-Security-Policy");
      assertThat(csp).contains("frame-ancestors 'none'", "default-src 'none'").doesNotContain("script-src");
      assertThat(page.getHeader("X-Frame-Options")).isEqualTo("DENY");
      assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
    }
  }

  @Test
  void aDisabledUserCannotSignInOnThePage(Vertx vertx) {
    String id = http.createUser(admin, "sa-disabled", PASSWORD, "read").getString("id");
    http.json("PATCH", "/admin/api/users/" + id, new JsonObject().put("disabled", true), admin);
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      HttpResponse<Buffer> r = browser.signIn(browser.get(authorizePath(request(APP, verifier(), "d"))), "sa-disabled", PASSWORD);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.getHeader("Location")).isNull();
      assertThat(r.bodyAsString()).contains("Incorrect username or password.");
    }
  }

  @Test
  void repeatedWrongPasswordsBackOffWithA429AndAreCounted(Vertx vertx) {
    http.createUser(admin, "sa-target", PASSWORD, "read");
    try (SignInBrowser browser = new SignInBrowser(vertx, node.port())) {
      HttpResponse<Buffer> page = browser.get(authorizePath(request(APP, verifier(), "b")));
      HttpResponse<Buffer> last = null;
      for (int i = 0; i < 12 && (last == null || last.statusCode() != 429); i++) {
        last = browser.signIn(page, "sa-target", "wrong-" + i);
      }
      assertThat(last.statusCode()).isEqualTo(429);
      assertThat(last.getHeader("Retry-After")).isNotNull();
      assertThat(last.bodyAsString()).contains("Too many failed attempts");
      assertThat(last.getHeader("Location")).isNull();
    }
    String metrics = http.get("/metrics", null).bodyAsString();
    assertThat(metrics.lines().filter(l -> l.startsWith("tessera_login_failures_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).isGreaterThanOrEqualTo(6);
    JsonObject audit = http.json("GET", "/admin/api/audit?username=sa-target", null, admin).bodyAsJsonObject();
    assertThat(audit.getJsonArray("items").stream().map(e -> ((JsonObject) e).getString("event")))
        .contains("login_failed", "login_throttled");
  }

  /**
   * One hashing thread and 7 waiting (a share of 2 per address), slow hashes, no trusted proxy: every
   * request comes from 127.0.0.1. While a burst of password grants holds that address's share, the
   * page's sign-in is answered at once with a page saying so, not a 503 and not a failed attempt.
   */
  @Test
  void aSignInWhileTheAddressHoldsItsHashingShareGetsA429Page(Vertx vertx) {
    try (TestNode slow = TestNode.start(Map.of("TESSERA_HASH_THREADS", 1, "TESSERA_HASH_QUEUE", 7,
        "TESSERA_ARGON2_MEMORY_KIB", 65536, "TESSERA_ARGON2_ITERATIONS", 8));
         TestClient api = new TestClient(vertx, slow.port());
         SignInBrowser browser = new SignInBrowser(vertx, slow.port())) {
      String slowAdmin = api.adminToken();
      AuthorizationCodeFlowTest.createCodeClient(api, slowAdmin, APP, "read");
      api.createPublicClient(slowAdmin, "sa-mobile", "read");
      HttpResponse<Buffer> page = browser.get(authorizePath(request(APP, verifier(), "busy")));

      List<Future<HttpResponse<Buffer>>> burst = api.madeUpSignIns("sa-mobile", 6);
      TestClient.awaitRefusal(burst);
      assertThat(burst).filteredOn(Future::isComplete).extracting(f -> f.result().statusCode())
          .as("precondition: refused for the address's share, not for a full pool").contains(429).doesNotContain(503);
      assertThat(burst).filteredOn(f -> f.isComplete() && f.result().statusCode() == 400)
          .as("precondition: the address's share is still in use (its checks take a second or more)").isEmpty();

      HttpResponse<Buffer> busy = browser.signIn(page, USER, PASSWORD);
      assertThat(busy.statusCode()).isEqualTo(429);
      assertThat(busy.getHeader("Retry-After")).isEqualTo("1");
      assertThat(busy.bodyAsString()).contains("Too many sign-ins from your network are under way");
      assertThat(busy.getHeader("Location")).isNull();
      Future.all(burst).otherwiseEmpty().await();
    }
  }

  @Test
  void aForgedCodeIsRefused() {
    assertRefused(exchange(APP, "tsr_not-a-code", verifier()), "invalid_grant");
  }
}
