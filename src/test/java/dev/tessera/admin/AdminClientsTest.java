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

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/** /admin/api/clients: create (secret shown once), list, get, delete (which revokes the client's tokens). */
@ExtendWith(VertxExtension.class)
class AdminClientsTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;
  private static String admin;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
    gatewaySecret = http.createResourceServer(admin, "ac-gateway", "read").getString("client_secret");
    http.createUser(admin, "ac-victor", "victor-password", "read");
  }

  private static HttpResponse<Buffer> api(String method, String path, JsonObject body) {
    return http.json(method, "/admin/api" + path, body, admin);
  }

  private static JsonObject confidential(String clientId) {
    return new JsonObject().put("client_id", clientId).put("name", "Service " + clientId).put("confidential", true)
        .put("grant_types", new JsonArray().add("client_credentials")).put("scopes", new JsonArray().add("read"));
  }

  @Test
  void confidentialClientGetsAGeneratedSecretShownOnce() {
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac-generated"));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.getHeader("Location")).isEqualTo("/admin/api/clients/ac-generated");
    JsonObject created = r.bodyAsJsonObject();
    assertThat(created.getString("client_id")).isEqualTo("ac-generated");
    assertThat(created.getString("name")).isEqualTo("Service ac-generated");
    assertThat(created.getBoolean("confidential")).isTrue();
    assertThat(created.getJsonArray("grant_types").getList()).containsExactly("client_credentials");
    assertThat(created.getJsonArray("scopes").getList()).containsExactly("read");
    assertThat(created.getBoolean("introspect")).isFalse();
    assertThat(created.getString("client_secret")).hasSizeGreaterThanOrEqualTo(32);

    JsonObject fetched = api("GET", "/clients/ac-generated", null).bodyAsJsonObject();
    assertThat(fetched.containsKey("client_secret")).isFalse();
    assertThat(fetched.encode()).doesNotContain(created.getString("client_secret"));
  }

  @Test
  void generatedSecretAuthenticatesTheClient() {
    String secret = api("POST", "/clients", confidential("ac-works")).bodyAsJsonObject().getString("client_secret");
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("ac-works", secret));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void givenSecretIsUsedAndEchoedOnce() {
    String secret = "ac-chosen-secret-0123456789";
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac-chosen").put("client_secret", secret));
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.bodyAsJsonObject().getString("client_secret")).isEqualTo(secret);
    assertThat(http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("ac-chosen", secret))
        .statusCode()).isEqualTo(200);
  }

  @Test
  void eachGeneratedSecretIsDifferent() {
    String first = api("POST", "/clients", confidential("ac-first")).bodyAsJsonObject().getString("client_secret");
    String second = api("POST", "/clients", confidential("ac-second")).bodyAsJsonObject().getString("client_secret");
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void publicClientHasNoSecret() {
    JsonObject created = http.createPublicClient(admin, "ac-public", "read");
    assertThat(created.getBoolean("confidential")).isFalse();
    assertThat(created.containsKey("client_secret")).isFalse();
  }

  @Test
  void publicClientCannotBeAllowedToIntrospect() {
    HttpResponse<Buffer> r = api("POST", "/clients", new JsonObject().put("client_id", "ac-bad-public").put("confidential", false)
        .put("grant_types", new JsonArray().add("password")).put("introspect", true));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(api("GET", "/clients/ac-bad-public", null).statusCode()).isEqualTo(404);
  }

  @Test
  void unknownGrantTypeIsA400Problem() {
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac-implicit")
        .put("grant_types", new JsonArray().add("implicit")));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(api("GET", "/clients/ac-implicit", null).statusCode()).isEqualTo(404);
  }

  @Test
  void clientIdWithForbiddenCharactersIsA400Problem() {
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac bad/id"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
  }

  @Test
  void clientIdInTheUserIdFormatIsA400ProblemBecauseItWouldBeAUsersSubject() {
    String userId = http.createUser(admin, "ac-victim", "victim-password").getString("id");
    for (String clientId : List.of(userId, userId.toUpperCase(Locale.ROOT))) {
      HttpResponse<Buffer> r = api("POST", "/clients", confidential(clientId));
      assertThat(r.statusCode()).as(clientId).isEqualTo(400);
      assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
      assertThat(r.bodyAsJsonObject().getString("detail")).contains("user id");
      assertThat(api("GET", "/clients/" + clientId, null).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void clientIdMerelyContainingAUuidIsAllowed() {
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("svc-" + UUID.randomUUID()));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
  }

  @Test
  void tooShortSecretIsA400Problem() {
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac-short").put("client_secret", "short"));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(api("GET", "/clients/ac-short", null).statusCode()).isEqualTo(404);
  }

  @Test
  void duplicateClientIdIsA409Problem() {
    api("POST", "/clients", confidential("ac-twice"));
    HttpResponse<Buffer> r = api("POST", "/clients", confidential("ac-twice"));
    assertThat(r.statusCode()).isEqualTo(409);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(r.bodyAsJsonObject().getInteger("status")).isEqualTo(409);
  }

  @Test
  void listShowsClientsWithoutSecrets() {
    api("POST", "/clients", confidential("ac-listed"));
    HttpResponse<Buffer> r = api("GET", "/clients", null);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray items = r.bodyAsJsonObject().getJsonArray("items");
    assertThat(items.stream().map(c -> ((JsonObject) c).getString("client_id")).toList())
        .contains("ac-listed", "ac-gateway", "tessera-admin");
    items.forEach(c -> assertThat(((JsonObject) c).containsKey("client_secret")).isFalse());
  }

  @Test
  void unknownClientIsA404Problem() {
    HttpResponse<Buffer> r = api("GET", "/clients/ac-nobody", null);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(api("DELETE", "/clients/ac-nobody", null).statusCode()).isEqualTo(404);
  }

  @Test
  void deletingAClientRevokesItsTokens() {
    http.createPublicClient(admin, "ac-doomed", "read");
    String access = http.login("ac-doomed", "ac-victor", "victor-password", "phone").getString("access_token");
    assertThat(http.isActive("ac-gateway", gatewaySecret, access)).isTrue();

    HttpResponse<Buffer> r = api("DELETE", "/clients/ac-doomed", null);
    assertThat(r.statusCode()).isEqualTo(204);

    assertThat(http.isActive("ac-gateway", gatewaySecret, access)).isFalse();
    assertThat(api("GET", "/clients/ac-doomed", null).statusCode()).isEqualTo(404);
  }

  @Test
  void deletedClientCannotAuthenticate() {
    String secret = api("POST", "/clients", confidential("ac-gone")).bodyAsJsonObject().getString("client_secret");
    assertThat(http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("ac-gone", secret))
        .statusCode()).isEqualTo(200);
    assertThat(api("DELETE", "/clients/ac-gone", null).statusCode()).isEqualTo(204);
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), basic("ac-gone", secret));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void deletingAClientLeavesOtherClientsTokensActive() {
    http.createPublicClient(admin, "ac-keeper", "read");
    http.createPublicClient(admin, "ac-goner", "read");
    String kept = http.login("ac-keeper", "ac-victor", "victor-password", "phone").getString("access_token");
    String gone = http.login("ac-goner", "ac-victor", "victor-password", "phone").getString("access_token");
    assertThat(http.isActive("ac-gateway", gatewaySecret, kept)).isTrue();
    assertThat(api("DELETE", "/clients/ac-goner", null).statusCode()).isEqualTo(204);
    assertThat(http.isActive("ac-gateway", gatewaySecret, gone)).isFalse();
    assertThat(http.isActive("ac-gateway", gatewaySecret, kept)).isTrue();
  }
}
