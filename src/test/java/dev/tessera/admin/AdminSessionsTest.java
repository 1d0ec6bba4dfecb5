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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A user's live sessions: listing with device and last use, revoking one (the lost phone), revoking all. */
@ExtendWith(VertxExtension.class)
class AdminSessionsTest {
  // Last-used times are written in batches; a short flush interval keeps the poll below short.
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_LAST_USED_FLUSH_INTERVAL", "PT0.2S"));
  private static TestClient http;
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    http.createPublicClient(admin, "as-mobile", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "as-gateway", "read").getString("client_secret");
  }

  private static String newUser(String username) {
    return http.createUser(admin, username, "password-" + username, "read", "write").getString("id");
  }

  private static JsonObject signIn(String username, String device) {
    return http.login("as-mobile", username, "password-" + username, device);
  }

  private static JsonArray sessions(String userId) {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/users/" + userId + "/sessions", null, admin);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getJsonArray("items");
  }

  private static JsonObject onlySession(String userId) {
    JsonArray items = sessions(userId);
    assertThat(items.size()).isEqualTo(1);
    return items.getJsonObject(0);
  }

  @Test
  void sessionIsListedWithItsClientDeviceScopesAndTimes() {
    String id = newUser("as-wendy");
    signIn("as-wendy", "Pixel 8");
    JsonObject session = onlySession(id);
    assertThat(UUID.fromString(session.getString("id"))).isNotNull();
    assertThat(session.getString("client_id")).isEqualTo("as-mobile");
    assertThat(session.getString("device")).isEqualTo("Pixel 8");
    assertThat(session.getJsonArray("scopes").getList()).containsExactly("read", "write");
    Instant created = Instant.parse(session.getString("created_at"));
    assertThat(Instant.parse(session.getString("expires_at"))).isAfter(created);
    assertThat(session.containsKey("last_used_at")).isTrue();
  }

  @Test
  void deviceLabelFallsBackToTheUserAgent() {
    String id = newUser("as-xavier");
    http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "as-mobile", "username", "as-xavier",
        "password", "password-as-xavier"), Map.of("User-Agent", "ExampleApp/2.1 (iPhone)"));
    assertThat(onlySession(id).getString("device")).isEqualTo("ExampleApp/2.1 (iPhone)");
  }

  @Test
  void deviceNameWinsOverTheUserAgent() {
    String id = newUser("as-yolanda");
    http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "as-mobile", "username", "as-yolanda",
        "password", "password-as-yolanda", "device_name", "Work laptop"), Map.of("User-Agent", "curl/8.5"));
    assertThat(onlySession(id).getString("device")).isEqualTo("Work laptop");
  }

  @Test
  void lastUsedTimeIsWrittenAfterAVerification() {
    String id = newUser("as-zara");
    String access = signIn("as-zara", "phone").getString("access_token");
    Instant before = Instant.now().minusSeconds(1);
    assertThat(http.get("/auth/verify", TestClient.bearer(access)).statusCode()).isEqualTo(200);
    JsonObject session = Eventually.await("last_used_at to be written", Duration.ofSeconds(10),
        () -> onlySession(id), s -> s.getValue("last_used_at") != null);
    assertThat(Instant.parse(session.getString("last_used_at"))).isAfter(before);
  }

  @Test
  void revokingOneSessionEndsExactlyThatSession() {
    String id = newUser("as-adam");
    String lost = signIn("as-adam", "lost phone").getString("access_token");
    String kept = signIn("as-adam", "laptop").getString("access_token");
    assertThat(http.isActive("as-gateway", gatewaySecret, lost)).isTrue();
    String lostSession = sessions(id).stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("device").equals("lost phone")).findFirst().orElseThrow().getString("id");

    HttpResponse<Buffer> r = http.json("DELETE", "/admin/api/sessions/" + lostSession, null, admin);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getInteger("revoked")).isEqualTo(1);
    JsonObject propagation = body.getJsonObject("propagation");
    assertThat(propagation.getValue("nodes")).isInstanceOf(Integer.class);
    assertThat(propagation.getValue("acked")).isInstanceOf(Integer.class);
    assertThat(propagation.getValue("ms")).isInstanceOf(Number.class);

    assertThat(http.isActive("as-gateway", gatewaySecret, lost)).isFalse();
    assertThat(http.isActive("as-gateway", gatewaySecret, kept)).isTrue();
    assertThat(sessions(id).stream().map(s -> ((JsonObject) s).getString("device")).toList()).containsExactly("laptop");
  }

  @Test
  void revokingAnUnknownSessionIsA404Problem() {
    HttpResponse<Buffer> r = http.json("DELETE", "/admin/api/sessions/" + UUID.randomUUID(), null, admin);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void revokeAllEndsEverySessionOfTheUserAndCountsThem() {
    String id = newUser("as-bella");
    List<String> tokens = List.of(signIn("as-bella", "a").getString("access_token"),
        signIn("as-bella", "b").getString("access_token"), signIn("as-bella", "c").getString("access_token"));
    tokens.forEach(t -> assertThat(http.isActive("as-gateway", gatewaySecret, t)).isTrue());

    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users/" + id + "/revoke-all", null, admin);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("revoked")).isEqualTo(3);

    tokens.forEach(t -> assertThat(http.isActive("as-gateway", gatewaySecret, t)).isFalse());
    assertThat(sessions(id)).isEmpty();
  }

  @Test
  void revokeAllLeavesOtherUsersAlone() {
    String id = newUser("as-cecil");
    newUser("as-dora");
    String revoked = signIn("as-cecil", "phone").getString("access_token");
    String other = signIn("as-dora", "phone").getString("access_token");
    assertThat(http.isActive("as-gateway", gatewaySecret, other)).isTrue();
    assertThat(http.json("POST", "/admin/api/users/" + id + "/revoke-all", null, admin).statusCode()).isEqualTo(200);
    assertThat(http.isActive("as-gateway", gatewaySecret, revoked)).isFalse();
    assertThat(http.isActive("as-gateway", gatewaySecret, other)).isTrue();
  }

  @Test
  void revokeAllWithNoSessionsRevokesNothing() {
    String id = newUser("as-edgar");
    HttpResponse<Buffer> r = http.json("POST", "/admin/api/users/" + id + "/revoke-all", null, admin);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getInteger("revoked")).isZero();
  }

  @Test
  void sessionsOfAnUnknownUserIsA404Problem() {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/users/" + UUID.randomUUID() + "/sessions", null, admin);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }
}
