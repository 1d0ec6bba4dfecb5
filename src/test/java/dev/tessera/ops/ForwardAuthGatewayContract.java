package dev.tessera.ops;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every forward-auth example in conf/ must do when a real gateway runs it in front of a real node:
 * the gateway's stand-in API echoes the identity it was given ("subject=… username=… client=… scope=…
 * authorization=…"), and /admin/ needs the scope "admin". Subclasses start their gateway.
 */
abstract class ForwardAuthGatewayContract {
  protected static TestNode node;
  protected static TestClient tessera;
  protected static TestClient gateway;
  protected static GatewayProcess process;
  protected static WebClient raw;
  protected static int gatewayPort;
  protected static String aliceId;

  /** A node, the public client "mobile" and the user alice (scopes read, write). */
  static void startTessera(Vertx vertx, Map<String, Object> overrides) {
    node = TestNode.start(overrides);
    tessera = new TestClient(vertx, node.port());
    String admin = tessera.adminToken();
    tessera.createPublicClient(admin, "mobile", "read", "write", "admin", "orders:delete");
    aliceId = tessera.createUser(admin, "alice@example.com", "alice-password", "read", "write").getString("id");
  }

  static void gatewayStarted(Vertx vertx, GatewayProcess started, int port) {
    process = started;
    gateway = new TestClient(vertx, port);
    gatewayPort = port;
    raw = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    GatewayProcess.closeAll(process, raw == null ? null : raw::close, gateway, tessera, node);
  }

  static String login() {
    return tessera.login("mobile", "alice@example.com", "alice-password", "gateway test").getString("access_token");
  }

  /** A request carrying every identity header a client might try to forge. */
  static HttpResponse<Buffer> spoofing(String method, String path, String authorization) {
    return raw.request(io.vertx.core.http.HttpMethod.valueOf(method), gatewayPort, "127.0.0.1", path)
        .putHeader("Authorization", authorization)
        .putHeader("X-Auth-Subject", "someone-else").putHeader("X-Auth-Username", "root")
        .putHeader("X-Auth-Client-Id", "admin-console").putHeader("X-Auth-Scope", "admin")
        .send().await();
  }

  @Test
  void requestWithoutTokenIsRefusedWithBearerChallenge() {
    HttpResponse<Buffer> r = gateway.get("/orders", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void validTokenReachesTheApiWithTesserasIdentityHeadersOnly() {
    HttpResponse<Buffer> r = gateway.get("/orders", bearer(login()));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("subject=" + aliceId + " ", "username=alice@example.com ", "client=mobile ",
        "scope=read write ", "authorization=\n");
  }

  @Test
  void callerCannotSpoofTheIdentityHeaders() {
    HttpResponse<Buffer> r = spoofing("GET", "/orders", bearer(login()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("subject=" + aliceId + " ", "scope=read write ")
        .doesNotContain("someone-else", "root", "admin-console", "scope=admin");
  }

  @Test
  void tokenWithoutTheLocationsScopeIsForbidden() {
    HttpResponse<Buffer> r = gateway.get("/admin/reports", bearer(login()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
  }

  @Test
  void revokedTokenIsRefusedAtTheGateway() {
    String token = login();
    assertThat(gateway.get("/orders", bearer(token)).statusCode()).isEqualTo(200);
    assertThat(tessera.postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile")).statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> r = gateway.get("/orders", bearer(token));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void forgedTokenIsRefused() {
    HttpResponse<Buffer> r = gateway.get("/orders", bearer("tsr_forged-token"));
    assertThat(r.statusCode()).isEqualTo(401);
  }
}
