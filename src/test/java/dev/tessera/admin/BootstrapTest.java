package dev.tessera.admin;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
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

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** First start (DESIGN §3): the bootstrap admin user, the panel's tessera-admin and the scripts' tessera-cli. */
@ExtendWith(VertxExtension.class)
class BootstrapTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
  }

  @Test
  void adminUserExistsWithScopeAdmin() {
    JsonArray users = http.json("GET", "/admin/api/users", null, admin).bodyAsJsonObject().getJsonArray("items");
    assertThat(users.size()).isEqualTo(1);
    JsonObject user = users.getJsonObject(0);
    assertThat(user.getString("username")).isEqualTo(TestNode.ADMIN_USERNAME);
    assertThat(user.getJsonArray("scopes").getList()).containsExactly("admin");
    assertThat(user.getBoolean("disabled")).isFalse();
  }

  @Test
  void panelClientIsPublicWithTheCodeGrantAndARedirectUnderAdmin() {
    HttpResponse<Buffer> r = http.json("GET", "/admin/api/clients/tessera-admin", null, admin);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject client = r.bodyAsJsonObject();
    assertThat(client.getBoolean("confidential")).isFalse();
    assertThat(client.getJsonArray("grant_types").getList()).containsExactlyInAnyOrder("authorization_code", "refresh_token");
    assertThat(client.getJsonArray("scopes").getList()).containsExactly("admin");
    assertThat(client.getJsonArray("redirect_uris").getList()).containsExactly("/admin/");
    assertThat(client.getBoolean("introspect")).isFalse();
  }

  @Test
  void thePanelClientNoLongerTakesPasswords() {
    HttpResponse<Buffer> r = http.passwordGrant("tessera-admin", TestNode.ADMIN_USERNAME, TestNode.ADMIN_PASSWORD, "admin");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized_client");
  }

  @Test
  void adminSignInThroughTheCliClientCarriesScopeAdmin() {
    HttpResponse<Buffer> cli = http.json("GET", "/admin/api/clients/tessera-cli", null, admin);
    assertThat(cli.bodyAsJsonObject().getJsonArray("grant_types").getList()).containsExactly("password");
    assertThat(cli.bodyAsJsonObject().getBoolean("confidential")).isFalse();
    HttpResponse<Buffer> r = http.passwordGrant("tessera-cli", TestNode.ADMIN_USERNAME, TestNode.ADMIN_PASSWORD, "admin");
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("scope")).isEqualTo("admin");
  }

  @Test
  void configuredAdminUsernameIsHonoured(Vertx vertx) {
    try (TestNode custom = TestNode.start(Map.of("TESSERA_ADMIN_USERNAME", "Root@Example.com"));
         TestClient client = new TestClient(vertx, custom.port())) {
      HttpResponse<Buffer> root = client.passwordGrant("tessera-cli", "root@example.com", TestNode.ADMIN_PASSWORD, "admin");
      assertThat(root.statusCode()).as(root.bodyAsString()).isEqualTo(200);
      String token = root.bodyAsJsonObject().getString("access_token");
      JsonArray users = client.json("GET", "/admin/api/users", null, token).bodyAsJsonObject().getJsonArray("items");
      assertThat(users.stream().map(u -> ((JsonObject) u).getString("username")).toList()).containsExactly("Root@Example.com");
      assertThat(client.passwordGrant("tessera-cli", "admin", TestNode.ADMIN_PASSWORD, null).statusCode()).isEqualTo(400);
    }
  }
}
