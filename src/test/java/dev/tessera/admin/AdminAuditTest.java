package dev.tessera.admin;

import dev.tessera.testing.Eventually;
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

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /admin/api/audit. Audit rows are written without holding up the request they describe, so the
 * tests poll (bounded) until the expected event shows up.
 */
@ExtendWith(VertxExtension.class)
class AdminAuditTest {
  private static final Duration AUDIT_WRITE = Duration.ofSeconds(10);
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "aa-mobile", "read");
  }

  private static JsonArray events(String query) {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/audit" + query, null, admin);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("items");
  }

  private static List<String> names(JsonArray events) {
    return events.stream().map(e -> ((JsonObject) e).getString("event")).toList();
  }

  private static JsonArray awaitEvents(String username, String... expected) {
    return Eventually.await("audit events " + List.of(expected) + " for " + username, AUDIT_WRITE,
        () -> events("?username=" + username), items -> names(items).containsAll(List.of(expected)));
  }

  @Test
  void failedAndSuccessfulSignInsAreAudited() {
    http.createUser(admin, "aa-fiona", "fiona-password", "read");
    http.passwordGrant("aa-mobile", "aa-fiona", "wrong-password", null);
    http.login("aa-mobile", "aa-fiona", "fiona-password", "phone");
    JsonArray items = awaitEvents("aa-fiona", "login_failed", "login_succeeded");
    JsonObject success = items.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("event").equals("login_succeeded")).findFirst().orElseThrow();
    assertThat(success.getString("client_id")).isEqualTo("aa-mobile");
    assertThat(success.getValue("id")).isInstanceOf(Number.class);
    assertThat(success.getString("at")).isNotBlank();
    assertThat(success.getString("ip")).isNotBlank();
  }

  @Test
  void usernameFilterIsCaseInsensitiveAndExcludesOthers() {
    http.createUser(admin, "Aa-George@Example.com", "george-password", "read");
    http.createUser(admin, "aa-hannah", "hannah-password", "read");
    http.login("aa-mobile", "aa-george@example.com", "george-password", "phone");
    http.login("aa-mobile", "aa-hannah", "hannah-password", "phone");
    // Someone else's events exist, so the filter has something to exclude.
    awaitEvents("aa-hannah", "login_succeeded");
    JsonArray items = awaitEvents("AA-GEORGE@EXAMPLE.COM", "login_succeeded");
    items.forEach(e -> assertThat(((JsonObject) e).getString("username")).isEqualToIgnoringCase("aa-george@example.com"));
  }

  @Test
  void revokingASessionIsAuditedUnderTheUsersName() {
    String id = http.createUser(admin, "aa-ivy", "ivy-password", "read").getString("id");
    http.login("aa-mobile", "aa-ivy", "ivy-password", "phone");
    String session = http.json("GET", "/admin/api/users/" + id + "/sessions", null, admin).bodyAsJsonObject()
        .getJsonArray("items").getJsonObject(0).getString("id");
    http.json("DELETE", "/admin/api/sessions/" + session, null, admin);
    JsonArray items = awaitEvents("aa-ivy", "session_revoked");
    JsonObject revoked = items.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("event").equals("session_revoked")).findFirst().orElseThrow();
    assertThat(revoked.getString("user_id")).isEqualTo(id);
    assertThat(revoked.getJsonObject("detail").getString("session_id")).isEqualTo(session);
  }

  @Test
  void adminChangesAreAudited() {
    String id = http.createUser(admin, "aa-jack", "jack-password", "read").getString("id");
    http.json("PATCH", "/admin/api/users/" + id, new JsonObject().put("disabled", true), admin);
    awaitEvents("aa-jack", "user_created", "user_disabled");
  }

  @Test
  void limitBoundsTheNumberOfEvents() {
    http.createUser(admin, "aa-kim", "kim-password", "read");
    for (int i = 0; i < 3; i++) {
      http.login("aa-mobile", "aa-kim", "kim-password", "phone");
    }
    awaitEvents("aa-kim", "login_succeeded");
    assertThat(events("?limit=2")).hasSize(2);
  }

  @Test
  void newestEventsComeFirst() {
    JsonArray items = Eventually.await("some audit events", AUDIT_WRITE, () -> events("?limit=50"), e -> e.size() >= 2);
    long first = items.getJsonObject(0).getLong("id");
    long second = items.getJsonObject(1).getLong("id");
    assertThat(first).isGreaterThan(second);
  }
}
