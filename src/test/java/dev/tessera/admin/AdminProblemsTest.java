package dev.tessera.admin;

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

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the admin API refuses: RFC 9457 problem JSON for missing or weak credentials and for bad input,
 * and a refused write leaves nothing behind.
 */
@ExtendWith(VertxExtension.class)
class AdminProblemsTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_MAX_BODY_BYTES", 4096));
  private static TestClient http;
  private static String admin;
  private static String reader;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "ap-mobile", "read");
    http.createUser(admin, "ap-lena", "lena-password", "read");
    reader = http.login("ap-mobile", "ap-lena", "lena-password", "phone").getString("access_token");
  }

  private static JsonObject assertProblem(HttpResponse<Buffer> r, int status) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = r.bodyAsJsonObject();
    assertThat(problem.getValue("type")).isInstanceOf(String.class);
    assertThat(problem.getValue("title")).isInstanceOf(String.class);
    assertThat(problem.getValue("status")).isEqualTo(status);
    assertThat(problem.getValue("detail")).isInstanceOf(String.class);
    return problem;
  }

  private static HttpResponse<Buffer> createUserRaw(String contentType, String body) {
    return http.send("POST", "/admin/api/users", contentType, Buffer.buffer(body), admin);
  }

  private static int userCount(String q) {
    return http.json("GET", "/admin/api/users?q=" + q, null, admin).bodyAsJsonObject().getJsonArray("items").size();
  }

  @Test
  void callWithoutATokenIsA401Problem() {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/users", null, null);
    assertProblem(r, 401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void callWithAnInvalidTokenIsA401Problem() {
    assertProblem(http.json("GET", "/admin/api/users", null, "tsr_forged"), 401);
  }

  @Test
  void callWithATokenLackingScopeAdminIsA403Problem() {
    assertProblem(http.json("GET", "/admin/api/users", null, reader), 403);
  }

  @Test
  void nonAdminCannotCreateUsers() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-sneaky")
        .put("password", "sneaky-password").put("scopes", new JsonArray().add("admin")), reader);
    assertProblem(r, 403);
    assertThat(userCount("ap-sneaky")).isZero();
  }

  @Test
  void revokedAdminTokenIsA401Problem() {
    String token = http.adminToken();
    assertThat(http.json("GET", "/admin/api/users", null, token).statusCode()).isEqualTo(200);
    assertThat(http.postForm("/oauth2/revoke", Map.of("client_id", "tessera-cli", "token", token)).statusCode())
        .isEqualTo(200);
    assertProblem(http.json("GET", "/admin/api/users", null, token), 401);
  }

  @Test
  void unknownFieldIsA400ProblemNamingItAndWritesNothing() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-ghost")
        .put("password", "ghost-password").put("role", "admin"), admin);
    assertThat(assertProblem(r, 400).getString("detail")).contains("role");
    assertThat(userCount("ap-ghost")).isZero();
  }

  @Test
  void wrongFieldTypeIsA400ProblemNamingIt() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-typed")
        .put("password", "typed-password").put("scopes", "read write"), admin);
    assertThat(assertProblem(r, 400).getString("detail")).contains("scopes");
    assertThat(userCount("ap-typed")).isZero();
  }

  @Test
  void numberWhereAStringBelongsIsA400Problem() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", 42)
        .put("password", "numeric-password"), admin);
    assertThat(assertProblem(r, 400).getString("detail")).contains("username");
  }

  @Test
  void tooShortPasswordIsA400ProblemAndWritesNothing() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-short")
        .put("password", "short"), admin);
    assertProblem(r, 400);
    assertThat(userCount("ap-short")).isZero();
  }

  @Test
  void nonJsonBodyIsA400Problem() {
    assertProblem(createUserRaw("application/json", "{\"username\": \"ap-broken\", "), 400);
    assertThat(userCount("ap-broken")).isZero();
  }

  @Test
  void jsonArrayBodyIsA400Problem() {
    assertProblem(createUserRaw("application/json", "[1, 2, 3]"), 400);
  }

  @Test
  void emptyBodyIsA400Problem() {
    assertProblem(http.send("POST", "/admin/api/users", "application/json", null, admin), 400);
  }

  @Test
  void wrongContentTypeIsA400Problem() {
    String json = new JsonObject().put("username", "ap-form").put("password", "form-password").encode();
    assertProblem(createUserRaw("application/x-www-form-urlencoded", json), 400);
    assertProblem(createUserRaw("text/plain", json), 400);
    assertThat(userCount("ap-form")).isZero();
  }

  @Test
  void malformedFormEncodingIsA400Problem() {
    assertProblem(createUserRaw("application/x-www-form-urlencoded", "username=ap-pct%zz&password=pct-password%"), 400);
    assertThat(userCount("ap-pct")).isZero();
  }

  @Test
  void oversizedBodyIsA413Problem() {
    String big = "x".repeat(8192);
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-big")
        .put("password", big), admin);
    assertProblem(r, 413);
    assertThat(userCount("ap-big")).isZero();
  }

  @Test
  void usernameWithControlCharactersIsA400Problem() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-bell\u0007")
        .put("password", "bell-password"), admin);
    assertProblem(r, 400);
  }

  @Test
  void invalidScopeTokenIsA400Problem() {
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-scoped")
        .put("password", "scoped-password").put("scopes", new JsonArray().add("has space")), admin);
    assertProblem(r, 400);
    assertThat(userCount("ap-scoped")).isZero();
  }

  @Test
  void tooManyScopesIsA400Problem() {
    JsonArray scopes = new JsonArray();
    for (int i = 0; i < 100; i++) {
      scopes.add("scope" + i);
    }
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users", new JsonObject().put("username", "ap-greedy")
        .put("password", "greedy-password").put("scopes", scopes), admin);
    assertProblem(r, 400);
  }

  @Test
  void unknownAdminResourceIsA404Problem() {
    assertProblem(http.json("GET", "/admin/api/nothing-here", null, admin), 404);
  }

  @Test
  void problemResponsesAreNotCached() {
    assertThat(http.json("GET", "/admin/api/users", null, null).getHeader("Cache-Control")).isEqualTo("no-store");
  }
}
