package dev.tessera.oauth;

import dev.tessera.auth.ClientAuthenticator;
import dev.tessera.testing.Eventually;
import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resource server that keeps one connection open is authenticated the full way once, then recognised by
 * its identical Authorization header — and no longer the moment anything about it changes.
 */
@ExtendWith(VertxExtension.class)
class ConnectionClientTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static String admin;
  private static String token;

  private Vertx vertx;
  private WebClient oneConnection;
  private final Set<HttpConnection> connections = new HashSet<>();

  @BeforeAll
  static void start() {
    admin = node.adminToken();
    TestClient http = node.http();
    http.createPublicClient(admin, "cc-mobile", "read");
    http.createUser(admin, "carol@example.com", "carol-password", "read");
    token = http.login("cc-mobile", "carol@example.com", "carol-password", "Phone").getString("access_token");
  }

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    // One pooled connection, kept alive: every introspection of a test travels on the same one.
    oneConnection = WebClient.wrap(vertx.httpClientBuilder().with(new PoolOptions().setHttp1MaxSize(1))
        .withConnectHandler(connections::add).build(), new WebClientOptions().setKeepAlive(true));
  }

  @AfterEach
  void close() {
    vertx.close().await();
  }

  private HttpResponse<Buffer> introspect(String clientId, String secret) {
    return oneConnection.post(node.port(), "127.0.0.1", "/oauth2/introspect")
        .putHeader("Authorization", basic(clientId, secret))
        .sendForm(io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("token", token))
        .await();
  }

  private static boolean active(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject().getBoolean("active");
  }

  private static JsonObject patch(String clientId, JsonObject change) {
    HttpResponse<Buffer> r = node.http().json("PATCH", "/admin/api/clients/" + clientId, change, admin);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  void aRotatedSecretStopsWorkingOnTheConnectionItWasRecognisedOn() {
    String oldSecret = node.http().createResourceServer(admin, "cc-rotated", "read").getString("client_secret");
    assertThat(active(introspect("cc-rotated", oldSecret))).isTrue();
    assertThat(active(introspect("cc-rotated", oldSecret))).as("recognised on the same connection").isTrue();

    String newSecret = patch("cc-rotated", new JsonObject().put("rotate_secret", true)).getString("client_secret");

    assertThat(introspect("cc-rotated", oldSecret).statusCode()).isEqualTo(401);
    assertThat(active(introspect("cc-rotated", newSecret))).isTrue();
    assertThat(connections).as("every request travelled on one connection").hasSize(1);
  }

  @Test
  void aWrongSecretIsRefusedOnARecognisedConnection() {
    String secret = node.http().createResourceServer(admin, "cc-wrong", "read").getString("client_secret");
    assertThat(active(introspect("cc-wrong", secret))).isTrue();
    assertThat(active(introspect("cc-wrong", secret))).isTrue();

    assertThat(introspect("cc-wrong", secret + "x").statusCode()).isEqualTo(401);
    assertThat(introspect("cc-wrong", secret.substring(1)).statusCode()).isEqualTo(401);
    assertThat(active(introspect("cc-wrong", secret))).isTrue();
    assertThat(connections).hasSize(1);
  }

  @Test
  void aWithdrawnIntrospectionRightEndsAtTheNextRequest() {
    String secret = node.http().createResourceServer(admin, "cc-withdrawn", "read").getString("client_secret");
    assertThat(active(introspect("cc-withdrawn", secret))).isTrue();
    assertThat(active(introspect("cc-withdrawn", secret))).isTrue();

    patch("cc-withdrawn", new JsonObject().put("introspect", false));

    HttpResponse<Buffer> refused = introspect("cc-withdrawn", secret);
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    assertThat(connections).hasSize(1);
  }

  /**
   * A change the node never heard of (a direct database edit: no eviction, no broadcast) is the client cache's
   * backstop case: the recognised connection must not outlive the time the node trusts its copy of a client.
   */
  @Test
  void aChangeTheNodeNeverHeardOfEndsTheRecognitionWithinTheClientTtl() {
    String secret = node.http().createResourceServer(admin, "cc-unheard", "read").getString("client_secret");
    // The catch-up replays the creation (a change heard, which would end the recognition by itself): first.
    node.tessera().follower().poll().await();
    var services = node.tessera().services();
    long heard = services.clients().changeCount();
    assertThat(active(introspect("cc-unheard", secret))).isTrue();
    assertThat(active(introspect("cc-unheard", secret))).as("recognised on the same connection").isTrue();

    assertThat(services.clientStore().update(services.revoker().store().pool(), "cc-unheard", null, null, false)
        .await()).as("introspect right withdrawn in the database only").isTrue();

    // Twice the TTL: the copy the full authentication used may itself have been cached for up to one TTL.
    Duration bound = ClientAuthenticator.CLIENT_TTL.multipliedBy(2);
    Duration took = Eventually.within(bound.plusSeconds(5),
        () -> introspect("cc-unheard", secret).statusCode() == 401, "the unheard change to end the recognition");
    assertThat(services.clients().changeCount()).as("no client change was heard: the TTL ended it").isEqualTo(heard);
    assertThat(took).isLessThanOrEqualTo(bound);
    assertThat(connections).hasSize(1);
  }
}

