package dev.tessera.ops;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * conf/nginx-example.conf, run by a real nginx in front of a real node: the file an operator copies is
 * the file under test, with only its placeholders filled in.
 */
@ExtendWith(VertxExtension.class)
class NginxForwardAuthTest {
  private static final Path EXAMPLE = Path.of("conf/nginx-example.conf");

  @TempDir
  static Path prefix;
  private static TestNode node;
  private static TestClient tessera;
  private static TestClient gateway;
  private static GatewayProcess nginx;
  private static String aliceId;
  private static WebClient raw;
  private static int gatewayPort;

  @BeforeAll
  static void startTesseraBehindNginx(Vertx vertx) throws Exception {
    Path binary = ExternalTools.executable("nginx", "/usr/sbin/nginx").orElse(null);
    ExternalTools.require(binary != null, "nginx (with the auth_request module)", "apt-get install -y nginx-light");

    node = TestNode.start();
    tessera = new TestClient(vertx, node.port());
    String admin = tessera.adminToken();
    tessera.createPublicClient(admin, "mobile", "read", "write", "admin");
    aliceId = tessera.createUser(admin, "alice@example.com", "alice-password", "read", "write").getString("id");

    int listen = TestNode.freePort();
    int api = TestNode.freePort();
    String rendered = GatewayProcess.render(EXAMPLE, Map.of("__LISTEN__", "127.0.0.1:" + listen,
        "__TESSERA__", "127.0.0.1:" + node.port(), "__API__", "127.0.0.1:" + api));
    Path conf = prefix.resolve("nginx.conf");
    Files.writeString(conf, rendered, StandardCharsets.UTF_8);
    Files.createDirectories(prefix.resolve("logs"));
    // As root, nginx would switch its workers to a user that may not exist here (Debian has no group
    // "nobody") and could not enter the private temp directory; stay the invoking user instead.
    String globals = "daemon off; pid " + prefix.resolve("nginx.pid") + ";"
        + ("root".equals(System.getProperty("user.name")) ? " user root;" : "");
    Path errorLog = prefix.resolve("logs/error.log");
    nginx = GatewayProcess.start("nginx", List.of(binary.toString(), "-p", prefix.toString(), "-c", conf.toString(),
        "-e", errorLog.toString(), "-g", globals), Map.of(), prefix.resolve("logs"), listen, errorLog);
    gateway = new TestClient(vertx, listen);
    gatewayPort = listen;
    raw = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (nginx != null) {
      nginx.close(); // SIGTERM: nginx's fast shutdown, workers included
    }
    if (raw != null) {
      raw.close();
    }
    for (TestClient c : new TestClient[] {gateway, tessera}) {
      if (c != null) {
        c.close();
      }
    }
    if (node != null) {
      node.close();
    }
  }

  private String login() {
    return tessera.login("mobile", "alice@example.com", "alice-password", "nginx test").getString("access_token");
  }

  @Test
  void requestWithoutTokenIsRefusedWithBearerChallenge() {
    HttpResponse<Buffer> r = gateway.get("/orders", null);
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void validTokenReachesTheApiWithTesserasIdentityHeadersOnly() {
    HttpResponse<Buffer> r = gateway.get("/orders", TestClient.bearer(login()));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("subject=" + aliceId + " ", "username=alice@example.com ", "client=mobile ",
        "scope=read write ", "authorization=\n");
  }

  @Test
  void callerCannotSpoofTheIdentityHeaders() {
    HttpResponse<Buffer> r = raw.get(gatewayPort, "127.0.0.1", "/orders")
        .putHeader("Authorization", TestClient.bearer(login()))
        .putHeader("X-Auth-Subject", "someone-else").putHeader("X-Auth-Scope", "admin").send().await();
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("subject=" + aliceId + " ", "scope=read write ").doesNotContain("someone-else");
  }

  @Test
  void tokenWithoutTheLocationsScopeIsForbidden() {
    HttpResponse<Buffer> r = gateway.get("/admin/reports", TestClient.bearer(login()));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"insufficient_scope\"");
  }

  @Test
  void revokedTokenIsRefusedAtTheGateway() {
    String token = login();
    assertThat(gateway.get("/orders", TestClient.bearer(token)).statusCode()).isEqualTo(200);
    assertThat(tessera.postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile")).statusCode())
        .isEqualTo(200);
    HttpResponse<Buffer> r = gateway.get("/orders", TestClient.bearer(token));
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void forgedTokenIsRefused() {
    HttpResponse<Buffer> r = gateway.get("/orders", TestClient.bearer("tsr_forged-token"));
    assertThat(r.statusCode()).isEqualTo(401);
  }
}
