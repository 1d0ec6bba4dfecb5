package dev.tessera.cluster;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A demotion or password change on one node ends the user's sessions on every node before the admin
 * gets the answer. The catch-up poll is slowed to 30 s, so a token that dies on the other node at once
 * can only have been evicted by the acknowledged broadcast.
 */
@ExtendWith(VertxExtension.class)
class PrivilegeChangeAcrossNodesTest {
  /** A public client with the password and refresh grants and scope admin (as tessera-admin once was). */
  private static final String ADMIN_CLIENT = "pn-admin-app";
  private static TestCluster cluster;
  private static TestClient first;
  private static TestClient second;
  private static String admin;

  @BeforeAll
  static void start(Vertx vertx) {
    cluster = TestCluster.start(2, Map.of("TESSERA_CATCHUP_INTERVAL", "PT30S", "TESSERA_STALENESS_BOUND", "PT60S"));
    first = new TestClient(vertx, cluster.node(0).port());
    second = new TestClient(vertx, cluster.node(1).port());
    admin = first.adminToken();
    first.createPublicClient(admin, ADMIN_CLIENT, "admin");
  }

  @AfterAll
  static void stop() {
    first.close();
    second.close();
    cluster.close();
  }

  private static HttpResponse<Buffer> listUsers(TestClient via, String bearer) {
    return via.json("GET", "/admin/api/users?limit=1", null, bearer);
  }

  private static void assertEveryNodeAcked(HttpResponse<Buffer> patched) {
    assertThat(patched.statusCode()).as(patched.bodyAsString()).isEqualTo(200);
    JsonObject propagation = patched.bodyAsJsonObject().getJsonObject("propagation");
    assertThat(propagation.getInteger("nodes")).isEqualTo(2);
    assertThat(propagation.getInteger("acked")).isEqualTo(2);
  }

  @Test
  void demotedAdminsTokensDieOnTheOtherNodeBeforeTheAnswer() {
    String id = first.createUser(admin, "pn-u1", "u1-password-123", "admin").getString("id");
    JsonObject tokens = first.passwordGrant(ADMIN_CLIENT, "pn-u1", "u1-password-123", "admin").bodyAsJsonObject();
    // Used on the second node first, so that node holds it in its cache as an active admin token.
    assertThat(listUsers(second, tokens.getString("access_token")).statusCode()).isEqualTo(200);

    HttpResponse<Buffer> patched = first.json("PATCH", "/admin/api/users/" + id, new JsonObject()
        .put("scopes", new JsonArray().add("orders:read")).put("password", "new-password-xyz"), admin);
    assertEveryNodeAcked(patched);
    assertThat(patched.bodyAsJsonObject().getInteger("revoked")).isEqualTo(1);

    assertThat(listUsers(second, tokens.getString("access_token")).statusCode()).isEqualTo(401);
    assertThat(second.json("POST", "/admin/api/users", new JsonObject().put("username", "pn-sneaky")
        .put("password", "sneaky-password").put("scopes", new JsonArray().add("admin")), tokens.getString("access_token"))
        .statusCode()).isEqualTo(401);
    HttpResponse<Buffer> refreshed = second.refresh(ADMIN_CLIENT, tokens.getString("refresh_token"));
    assertThat(refreshed.statusCode()).as(refreshed.bodyAsString()).isEqualTo(400);
    assertThat(refreshed.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  @Test
  void removingAScopeEndsItsSessionsOnTheOtherNodeButKeepsTheRest() {
    first.createPublicClient(admin, "pn-mobile", "read", "write");
    String id = first.createUser(admin, "pn-ann", "ann-password-1", "read", "write").getString("id");
    String writer = first.passwordGrant("pn-mobile", "pn-ann", "ann-password-1", "read write").bodyAsJsonObject()
        .getString("access_token");
    String reader = first.passwordGrant("pn-mobile", "pn-ann", "ann-password-1", "read").bodyAsJsonObject()
        .getString("access_token");
    assertThat(second.get("/auth/verify", TestClient.bearer(writer)).statusCode()).isEqualTo(200);
    assertThat(second.get("/auth/verify", TestClient.bearer(reader)).statusCode()).isEqualTo(200);

    assertEveryNodeAcked(first.json("PATCH", "/admin/api/users/" + id,
        new JsonObject().put("scopes", new JsonArray().add("read")), admin));

    assertThat(second.get("/auth/verify", TestClient.bearer(writer)).statusCode()).isEqualTo(401);
    assertThat(second.get("/auth/verify", TestClient.bearer(reader)).statusCode()).isEqualTo(200);
  }
}
