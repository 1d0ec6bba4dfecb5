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

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** /admin/api/users: create, list (paged, searched), get, patch, and what a patch does to sign-in. */
@ExtendWith(VertxExtension.class)
class AdminUsersTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "au-mobile", "read", "write", "reports");
    gatewaySecret = http.createResourceServer(admin, "au-gateway", "read").getString("client_secret");
  }

  private static HttpResponse<Buffer> api(String method, String path, JsonObject body) {
    return http.json(method, "/admin/api" + path, body, admin);
  }

  private static JsonObject newUser(String username, String... scopes) {
    return new JsonObject().put("username", username).put("password", "password-of-" + username)
        .put("scopes", new JsonArray(List.of(scopes)));
  }

  @Test
  void createdUserIsReturnedWithoutItsPassword() {
    HttpResponse<Buffer> r = api("POST", "/users", newUser("au-judy@example.com", "read"));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    JsonObject user = r.bodyAsJsonObject();
    assertThat(UUID.fromString(user.getString("id"))).isNotNull();
    assertThat(user.getString("username")).isEqualTo("au-judy@example.com");
    assertThat(user.getJsonArray("scopes").getList()).containsExactly("read");
    assertThat(user.getBoolean("disabled")).isFalse();
    assertThat(java.time.Instant.parse(user.getString("created_at"))).isNotNull();
    assertThat(r.getHeader("Location")).isEqualTo("/admin/api/users/" + user.getString("id"));
    assertThat(r.bodyAsString()).doesNotContain("password");
  }

  @Test
  void createdUserCanSignIn() {
    http.createUser(admin, "au-ken", "ken-password", "read");
    assertThat(http.login("au-mobile", "au-ken", "ken-password", "phone").getString("scope")).isEqualTo("read");
  }

  @Test
  void userIsFetchedById() {
    JsonObject created = http.createUser(admin, "au-liz", "liz-password", "read", "write");
    HttpResponse<Buffer> r = api("GET", "/users/" + created.getString("id"), null);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject()).isEqualTo(created);
  }

  @Test
  void unknownUserIdIsA404Problem() {
    HttpResponse<Buffer> r = api("GET", "/users/" + UUID.randomUUID(), null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(r.bodyAsJsonObject().getInteger("status")).isEqualTo(404);
  }

  @Test
  void malformedUserIdIsA404Problem() {
    HttpResponse<Buffer> r = api("GET", "/users/not-a-uuid", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void duplicateUsernameIsA409ProblemWhateverItsCase() {
    http.createUser(admin, "Au-Mallory@Example.com", "mallory-password", "read");
    HttpResponse<Buffer> r = api("POST", "/users", newUser("au-mallory@example.COM", "read"));
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    JsonObject problem = r.bodyAsJsonObject();
    assertThat(problem.getString("type")).isNotBlank();
    assertThat(problem.getString("title")).isEqualTo("Conflict");
    assertThat(problem.getInteger("status")).isEqualTo(409);
    assertThat(problem.getString("detail")).contains("username");
  }

  @Test
  void listIsPagedWithLimitAndAfter() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(http.createUser(admin, "au-pager-" + i, "pager-password", "read").getString("id"));
    }
    List<String> seen = new ArrayList<>();
    String after = null;
    for (int page = 0; page < 10; page++) {
      HttpResponse<Buffer> r = api("GET", "/users?q=au-pager-&limit=2" + (after == null ? "" : "&after=" + after), null);
      assertThat(r.statusCode()).isEqualTo(200);
      JsonObject body = r.bodyAsJsonObject();
      JsonArray items = body.getJsonArray("items");
      assertThat(items.size()).isLessThanOrEqualTo(2);
      items.forEach(u -> seen.add(((JsonObject) u).getString("id")));
      after = body.getString("next_after");
      if (after == null) {
        break;
      }
      assertThat(after).isEqualTo(items.getJsonObject(items.size() - 1).getString("id"));
    }
    assertThat(after).as("paging ends").isNull();
    assertThat(seen).containsExactlyInAnyOrderElementsOf(created).doesNotHaveDuplicates();
  }

  @Test
  void lastPageHasANullNextAfter() {
    http.createUser(admin, "au-single-page", "single-password", "read");
    JsonObject body = api("GET", "/users?q=au-single-page", null).bodyAsJsonObject();
    assertThat(body.getJsonArray("items").size()).isEqualTo(1);
    assertThat(body.containsKey("next_after")).isTrue();
    assertThat(body.getValue("next_after")).isNull();
  }

  @Test
  void searchMatchesAnyPartOfTheUsernameIgnoringCase() {
    http.createUser(admin, "Au-Needle-One@Example.com", "needle-password", "read");
    http.createUser(admin, "au-needle-two@example.com", "needle-password", "read");
    JsonArray items = api("GET", "/users?q=NEEDLE", null).bodyAsJsonObject().getJsonArray("items");
    assertThat(items.stream().map(u -> ((JsonObject) u).getString("username")).toList())
        .containsExactlyInAnyOrder("Au-Needle-One@Example.com", "au-needle-two@example.com");
  }

  @Test
  void outOfRangeLimitIsA400Problem() {
    HttpResponse<Buffer> r = api("GET", "/users?limit=0", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(api("GET", "/users?limit=many", null).statusCode()).isEqualTo(400);
  }

  @Test
  void malformedAfterCursorIsA400Problem() {
    HttpResponse<Buffer> r = api("GET", "/users?after=nope", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void changedPasswordIsTheOnlyOneThatSignsIn() {
    String id = http.createUser(admin, "au-nina", "old-password", "read").getString("id");
    HttpResponse<Buffer> r = api("PATCH", "/users/" + id, new JsonObject().put("password", "new-password"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).doesNotContain("new-password");
    assertThat(http.passwordGrant("au-mobile", "au-nina", "old-password", null).statusCode()).isEqualTo(400);
    assertThat(http.passwordGrant("au-mobile", "au-nina", "new-password", null).statusCode()).isEqualTo(200);
  }

  @Test
  void changedScopesApplyToTheNextSignIn() {
    String id = http.createUser(admin, "au-oscar", "oscar-password", "read").getString("id");
    HttpResponse<Buffer> r = api("PATCH", "/users/" + id, new JsonObject().put("scopes", new JsonArray().add("read").add("reports")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getJsonArray("scopes").getList()).containsExactly("read", "reports");
    assertThat(http.login("au-mobile", "au-oscar", "oscar-password", "phone").getString("scope")).isEqualTo("read reports");
  }

  @Test
  void disablingAUserEndsEverySessionAtOnce() {
    String id = http.createUser(admin, "au-peggy", "peggy-password", "read").getString("id");
    String phone = http.login("au-mobile", "au-peggy", "peggy-password", "phone").getString("access_token");
    String laptop = http.login("au-mobile", "au-peggy", "peggy-password", "laptop").getString("access_token");
    assertThat(http.isActive("au-gateway", gatewaySecret, phone)).isTrue();
    assertThat(http.isActive("au-gateway", gatewaySecret, laptop)).isTrue();

    HttpResponse<Buffer> r = api("PATCH", "/users/" + id, new JsonObject().put("disabled", true));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getBoolean("disabled")).isTrue();
    assertThat(body.getInteger("revoked")).isEqualTo(2);
    assertThat(body.getJsonObject("propagation")).isNotNull();

    assertThat(http.isActive("au-gateway", gatewaySecret, phone)).isFalse();
    assertThat(http.isActive("au-gateway", gatewaySecret, laptop)).isFalse();
    assertThat(http.get("/auth/verify", TestClient.bearer(laptop)).statusCode()).isEqualTo(401);
  }

  @Test
  void disabledUserCannotSignIn() {
    String id = http.createUser(admin, "au-quinn", "quinn-password", "read").getString("id");
    assertThat(http.passwordGrant("au-mobile", "au-quinn", "quinn-password", null).statusCode()).isEqualTo(200);
    assertThat(api("PATCH", "/users/" + id, new JsonObject().put("disabled", true)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> r = http.passwordGrant("au-mobile", "au-quinn", "quinn-password", null);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void disabledUserCannotRefresh() {
    String id = http.createUser(admin, "au-rupert", "rupert-password", "read").getString("id");
    String first = http.login("au-mobile", "au-rupert", "rupert-password", "phone").getString("refresh_token");
    HttpResponse<Buffer> working = http.refresh("au-mobile", first);
    assertThat(working.statusCode()).as(working.bodyAsString()).isEqualTo(200);
    assertThat(api("PATCH", "/users/" + id, new JsonObject().put("disabled", true)).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> r = http.refresh("au-mobile", working.bodyAsJsonObject().getString("refresh_token"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void reEnabledUserCanSignInAgain() {
    String id = http.createUser(admin, "au-sybil", "sybil-password", "read").getString("id");
    assertThat(api("PATCH", "/users/" + id, new JsonObject().put("disabled", true)).statusCode()).isEqualTo(200);
    assertThat(http.passwordGrant("au-mobile", "au-sybil", "sybil-password", null).statusCode()).isEqualTo(400);
    assertThat(api("PATCH", "/users/" + id, new JsonObject().put("disabled", false)).statusCode()).isEqualTo(200);
    assertThat(http.passwordGrant("au-mobile", "au-sybil", "sybil-password", null).statusCode()).isEqualTo(200);
  }

  @Test
  void emptyPatchIsA400Problem() {
    String id = http.createUser(admin, "au-trent", "trent-password", "read").getString("id");
    HttpResponse<Buffer> r = api("PATCH", "/users/" + id, new JsonObject());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void patchOfAnUnknownUserIsA404Problem() {
    HttpResponse<Buffer> r = api("PATCH", "/users/" + UUID.randomUUID(), new JsonObject().put("disabled", true));
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void rejectedPatchChangesNothing() {
    String id = http.createUser(admin, "au-ursula", "ursula-password", "read").getString("id");
    HttpResponse<Buffer> r = api("PATCH", "/users/" + id,
        new JsonObject().put("password", "ursula-new-password").put("scopes", "read write"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(http.passwordGrant("au-mobile", "au-ursula", "ursula-password", null).statusCode()).isEqualTo(200);
  }
}
