package dev.tessera.admin;

import dev.tessera.domain.GrantType;
import dev.tessera.domain.Scopes;
import dev.tessera.testing.Eventually;
import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.token.GrantRejected;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Taking privileges away bites at once (issue 11, item 1): a password change ends the user's sessions,
 * removing a scope ends every session holding it, and no refresh ever hands out more than the user and
 * client may have now.
 */
@ExtendWith(VertxExtension.class)
class PrivilegeChangeTest {
  /**
   * A public client with the password and refresh grants and scope admin, as tessera-admin was when the
   * finding was reproduced (the panel now signs in with the code flow, which ends in the same refresh tokens).
   */
  private static final String ADMIN_CLIENT = "pc-admin-app";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "pc-mobile", "read", "write");
    http.createPublicClient(admin, ADMIN_CLIENT, "admin");
    gatewaySecret = http.createResourceServer(admin, "pc-gateway", "read").getString("client_secret");
  }

  private static HttpResponse<Buffer> patch(String userId, JsonObject body) {
    return http.json("PATCH", "/admin/api/users/" + userId, body, admin);
  }

  private static JsonObject signIn(String client, String username, String password, String scope) {
    HttpResponse<Buffer> r = http.passwordGrant(client, username, password, scope);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static boolean active(String token) {
    return http.isActive("pc-gateway", gatewaySecret, token);
  }

  private static HttpResponse<Buffer> createAdmin(String bearer, String username) {
    return http.json("POST", "/admin/api/users", new JsonObject().put("username", username)
        .put("password", "password-of-" + username).put("scopes", new JsonArray().add("admin")), bearer);
  }

  @Test
  void demotedAdminsOldRefreshTokenNoLongerYieldsAdminNorCreatesAdmins() {
    String u1 = http.createUser(admin, "u1", "u1-password-123", "admin").getString("id");
    JsonObject tokens = signIn(ADMIN_CLIENT, "u1", "u1-password-123", "admin");
    assertThat(tokens.getString("scope")).isEqualTo("admin");
    assertThat(createAdmin(tokens.getString("access_token"), "pc-made-while-admin").statusCode()).isEqualTo(201);

    HttpResponse<Buffer> demoted = patch(u1, new JsonObject().put("scopes", new JsonArray().add("orders:read"))
        .put("password", "new-password-xyz"));
    assertThat(demoted.statusCode()).as(demoted.bodyAsString()).isEqualTo(200);

    HttpResponse<Buffer> refreshed = http.refresh(ADMIN_CLIENT, tokens.getString("refresh_token"));
    assertThat(refreshed.statusCode()).as(refreshed.bodyAsString()).isEqualTo(400);
    assertThat(refreshed.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    assertThat(createAdmin(tokens.getString("access_token"), "pc-made-after-demotion").statusCode()).isEqualTo(401);
  }

  @Test
  void passwordChangeEndsEverySessionAndReportsThePropagation() {
    String id = http.createUser(admin, "pc-amy", "amy-password-1", "read").getString("id");
    String phone = http.login("pc-mobile", "pc-amy", "amy-password-1", "phone").getString("access_token");
    JsonObject laptop = http.login("pc-mobile", "pc-amy", "amy-password-1", "laptop");
    assertThat(active(phone)).isTrue();
    assertThat(active(laptop.getString("access_token"))).isTrue();

    HttpResponse<Buffer> r = patch(id, new JsonObject().put("password", "amy-password-2"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getInteger("revoked")).isEqualTo(2);
    assertThat(body.getJsonObject("propagation").getInteger("acked"))
        .isEqualTo(body.getJsonObject("propagation").getInteger("nodes"));

    assertThat(active(phone)).isFalse();
    assertThat(active(laptop.getString("access_token"))).isFalse();
    assertThat(http.refresh("pc-mobile", laptop.getString("refresh_token")).statusCode()).isEqualTo(400);
    assertThat(http.login("pc-mobile", "pc-amy", "amy-password-2", "phone").getString("access_token")).isNotNull();
  }

  @Test
  void passwordChangeMayKeepSessionsWhenAskedExplicitly() {
    String id = http.createUser(admin, "pc-bob", "bob-password-1", "read").getString("id");
    String phone = http.login("pc-mobile", "pc-bob", "bob-password-1", "phone").getString("access_token");
    assertThat(active(phone)).isTrue();

    HttpResponse<Buffer> r = patch(id, new JsonObject().put("password", "bob-password-2").put("revoke_sessions", false));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("revoked")).isZero();
    assertThat(active(phone)).isTrue();
    assertThat(http.passwordGrant("pc-mobile", "pc-bob", "bob-password-1", null).statusCode()).isEqualTo(400);
  }

  @Test
  void revokeSessionsWithoutAPasswordChangeIsA400ProblemAndChangesNothing() {
    String id = http.createUser(admin, "pc-cyd", "cyd-password-1", "read", "write").getString("id");
    String phone = http.login("pc-mobile", "pc-cyd", "cyd-password-1", "phone").getString("access_token");
    assertThat(active(phone)).isTrue();

    HttpResponse<Buffer> r = patch(id, new JsonObject().put("scopes", new JsonArray().add("read"))
        .put("revoke_sessions", false));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(active(phone)).isTrue();
    assertThat(http.json("GET", "/admin/api/users/" + id, null, admin).bodyAsJsonObject().getJsonArray("scopes").getList())
        .containsExactly("read", "write");
  }

  @Test
  void removingAScopeEndsExactlyTheSessionsHoldingIt() {
    String id = http.createUser(admin, "pc-dan", "dan-password-1", "read", "write").getString("id");
    String reader = signIn("pc-mobile", "pc-dan", "dan-password-1", "read").getString("access_token");
    JsonObject writer = signIn("pc-mobile", "pc-dan", "dan-password-1", "read write");
    assertThat(active(reader)).isTrue();
    assertThat(active(writer.getString("access_token"))).isTrue();

    HttpResponse<Buffer> r = patch(id, new JsonObject().put("scopes", new JsonArray().add("read")));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("revoked")).isEqualTo(1);
    assertThat(r.bodyAsJsonObject().getJsonObject("propagation")).isNotNull();

    assertThat(active(writer.getString("access_token"))).isFalse();
    assertThat(http.refresh("pc-mobile", writer.getString("refresh_token")).statusCode()).isEqualTo(400);
    assertThat(active(reader)).isTrue();
  }

  @Test
  void addingAScopeEndsNoSession() {
    String id = http.createUser(admin, "pc-eve", "eve-password-1", "read").getString("id");
    String phone = http.login("pc-mobile", "pc-eve", "eve-password-1", "phone").getString("access_token");
    assertThat(active(phone)).isTrue();

    HttpResponse<Buffer> r = patch(id, new JsonObject().put("scopes", new JsonArray().add("read").add("write")));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("revoked")).isZero();
    assertThat(active(phone)).isTrue();
  }

  @Test
  void scopeChangeLeavesOtherUsersAlone() {
    String id = http.createUser(admin, "pc-fay", "fay-password-1", "read", "write").getString("id");
    http.createUser(admin, "pc-gus", "gus-password-1", "read", "write");
    String bystander = http.login("pc-mobile", "pc-gus", "gus-password-1", "phone").getString("access_token");
    assertThat(active(bystander)).isTrue();

    assertThat(patch(id, new JsonObject().put("scopes", new JsonArray().add("read"))).statusCode()).isEqualTo(200);
    assertThat(active(bystander)).isTrue();
  }

  /**
   * A change that did not come through the admin API, and so ended no session (a direct database edit,
   * or one racing a refresh): the refresh itself must still apply it.
   */
  private static void narrowWithoutTheAdminApi(String userId, String... scopes) {
    var services = node.tessera().services();
    services.userStore().update(services.revoker().store().pool(), UUID.fromString(userId), null,
        Scopes.of(List.of(scopes)), null).await();
  }

  @Test
  void refreshNarrowsToTheScopesTheUserHoldsNow() {
    String id = http.createUser(admin, "pc-hal", "hal-password-1", "read", "write").getString("id");
    JsonObject tokens = http.login("pc-mobile", "pc-hal", "hal-password-1", "phone");
    assertThat(tokens.getString("scope")).isEqualTo("read write");
    narrowWithoutTheAdminApi(id, "read");

    HttpResponse<Buffer> r = http.refresh("pc-mobile", tokens.getString("refresh_token"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("read");
    HttpResponse<Buffer> next = http.refresh("pc-mobile", r.bodyAsJsonObject().getString("refresh_token"));
    assertThat(next.bodyAsJsonObject().getString("scope")).isEqualTo("read");
  }

  @Test
  void refreshAskingForAScopeTheUserNoLongerHoldsIsAnInvalidScope() {
    String id = http.createUser(admin, "pc-ida", "ida-password-1", "read", "write").getString("id");
    JsonObject tokens = http.login("pc-mobile", "pc-ida", "ida-password-1", "phone");
    assertThat(tokens.getString("scope")).isEqualTo("read write");
    narrowWithoutTheAdminApi(id, "read");

    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token",
        "client_id", "pc-mobile", "refresh_token", tokens.getString("refresh_token"), "scope", "write"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_scope");
    // The refused request spent nothing: the refresh token still works, narrowed.
    HttpResponse<Buffer> retry = http.refresh("pc-mobile", tokens.getString("refresh_token"));
    assertThat(retry.statusCode()).as(retry.bodyAsString()).isEqualTo(200);
    assertThat(retry.bodyAsJsonObject().getString("scope")).isEqualTo("read");
  }

  @Test
  void sessionsListShowsTheNarrowedScopesAfterARefresh() {
    String id = http.createUser(admin, "pc-jon", "jon-password-1", "read", "write").getString("id");
    JsonObject tokens = http.login("pc-mobile", "pc-jon", "jon-password-1", "phone");
    narrowWithoutTheAdminApi(id, "read");
    assertThat(http.refresh("pc-mobile", tokens.getString("refresh_token")).statusCode()).isEqualTo(200);

    JsonArray sessions = http.json("GET", "/admin/api/users/" + id + "/sessions", null, admin).bodyAsJsonObject()
        .getJsonArray("items");
    assertThat(sessions).hasSize(1);
    assertThat(sessions.getJsonObject(0).getJsonArray("scopes").getList()).containsExactly("read");
  }

  @Test
  void signInCheckedAgainstAPasswordChangedMeanwhileLeavesNoSession() {
    String id = http.createUser(admin, "pc-kim", "kim-password-1", "read").getString("id");
    var services = node.tessera().services();
    // The user as a sign-in read it just before an admin changed the password (the race the check closes).
    var before = services.userStore().findByUsername("pc-kim").await().orElseThrow();
    var client = services.clientStore().find("pc-mobile").await().orElseThrow();
    assertThat(patch(id, new JsonObject().put("password", "kim-password-2")).statusCode()).isEqualTo(200);

    assertThatThrownBy(() -> services.issuer().issue(GrantType.PASSWORD, before, client,
        before.scopes(), "phone").await()).isInstanceOf(GrantRejected.class);
    assertThat(http.json("GET", "/admin/api/users/" + id + "/sessions", null, admin).bodyAsJsonObject()
        .getJsonArray("items")).isEmpty();
  }

  @Test
  void signInOfTheUnchangedUserStillWorksThroughTheSameCheck() {
    http.createUser(admin, "pc-lee", "lee-password-1", "read");
    var services = node.tessera().services();
    var user = services.userStore().findByUsername("pc-lee").await().orElseThrow();
    var client = services.clientStore().find("pc-mobile").await().orElseThrow();
    var issued = services.issuer().issue(GrantType.PASSWORD, user, client, user.scopes(), "phone")
        .await();
    assertThat(active(issued.accessToken())).isTrue();
  }

  /** Waits until the audit log holds exactly {@code count} user_updated events for the user; their details, newest first. */
  private static List<JsonObject> userUpdates(String username, int count) {
    return Eventually.await(count + " user_updated audit event(s)", Duration.ofSeconds(20),
        () -> http.json("GET", "/admin/api/audit?username=" + username, null, admin).bodyAsJsonObject().getJsonArray("items")
            .stream().map(JsonObject.class::cast).filter(e -> e.getString("event").equals("user_updated"))
            .map(e -> e.getJsonObject("detail")).toList(),
        found -> found.size() == count);
  }

  @Test
  void theAuditLogSaysWhichSessionsAPasswordChangeEndedOrKept() {
    String id = http.createUser(admin, "pc-max", "max-password-1", "read").getString("id");
    http.login("pc-mobile", "pc-max", "max-password-1", "phone");
    assertThat(patch(id, new JsonObject().put("password", "max-password-2")).statusCode()).isEqualTo(200);
    // Audit rows are written after the answer (fire and forget), so two changes in a row could be stored
    // in either order; the second change waits until the first one's row is there.
    userUpdates("pc-max", 1);
    assertThat(patch(id, new JsonObject().put("password", "max-password-3").put("revoke_sessions", false)).statusCode())
        .isEqualTo(200);

    List<JsonObject> updates = userUpdates("pc-max", 2);
    // Newest first: the change that kept sessions, then the one that ended the phone's.
    assertThat(updates.get(0).getBoolean("sessions_kept")).isTrue();
    assertThat(updates.get(0).getInteger("revoked")).isZero();
    assertThat(updates.get(1).getBoolean("sessions_kept")).isFalse();
    assertThat(updates.get(1).getInteger("revoked")).isEqualTo(1);
    assertThat(updates.get(1).getJsonObject("propagation")).isNotNull();
    assertThat(updates.get(1).encode()).doesNotContain("max-password");
  }

  @Test
  void noSignInOrRefreshRacingADemotionKeepsAWorkingAdminToken() {
    String id = http.createUser(admin, "pc-racer", "racer-password-1", "admin").getString("id");
    List<String> refreshTokens = new ArrayList<>();
    List<String> accessTokens = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      JsonObject tokens = signIn(ADMIN_CLIENT, "pc-racer", "racer-password-1", "admin");
      refreshTokens.add(tokens.getString("refresh_token"));
      accessTokens.add(tokens.getString("access_token"));
      assertThat(http.json("GET", "/admin/api/users?limit=1", null, tokens.getString("access_token")).statusCode())
          .isEqualTo(200);
    }
    ExecutorService racers = Executors.newFixedThreadPool(12);
    try {
      List<CompletableFuture<List<String>>> issued = new ArrayList<>();
      for (String refresh : refreshTokens) {
        issued.add(CompletableFuture.supplyAsync(() -> refreshChain(refresh), racers));
      }
      for (int i = 0; i < 8; i++) {
        issued.add(CompletableFuture.supplyAsync(() -> {
          HttpResponse<Buffer> r = http.passwordGrant(ADMIN_CLIENT, "pc-racer", "racer-password-1", "admin");
          return r.statusCode() == 200 ? List.of(r.bodyAsJsonObject().getString("access_token")) : List.<String>of();
        }, racers));
      }
      HttpResponse<Buffer> demoted = patch(id, new JsonObject().put("scopes", new JsonArray().add("orders:read")));
      assertThat(demoted.statusCode()).as(demoted.bodyAsString()).isEqualTo(200);
      issued.forEach(f -> accessTokens.addAll(f.join()));

      // Whatever the interleaving, every admin token handed out before or during the change is dead after it.
      for (String token : accessTokens) {
        assertThat(http.json("GET", "/admin/api/users?limit=1", null, token).statusCode()).as(token).isEqualTo(401);
      }
      assertThat(http.passwordGrant(ADMIN_CLIENT, "pc-racer", "racer-password-1", "admin").statusCode()).isEqualTo(400);
    } finally {
      racers.shutdownNow();
    }
  }

  /** Refreshes along one chain until refused or five times; the access tokens it was given. */
  private static List<String> refreshChain(String refreshToken) {
    List<String> accessTokens = new ArrayList<>();
    String current = refreshToken;
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> r = http.refresh(ADMIN_CLIENT, current);
      if (r.statusCode() != 200) {
        break;
      }
      accessTokens.add(r.bodyAsJsonObject().getString("access_token"));
      current = r.bodyAsJsonObject().getString("refresh_token");
    }
    return accessTokens;
  }
}
