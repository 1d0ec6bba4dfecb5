package dev.tessera.ops;

import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.tessera.testing.TestClient.basic;
import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * conf/caddy-example.Caddyfile, run by a real Caddy (forward_auth) in front of a real node with a route
 * policy: the file an operator copies is the file under test, with only its placeholders filled in.
 */
@ExtendWith(VertxExtension.class)
class CaddyForwardAuthTest extends ForwardAuthGatewayContract {
  private static final Path EXAMPLE = Path.of("conf/caddy-example.Caddyfile");
  private static final String POLICY = """
      {"rules": [
        {"methods": ["DELETE"], "path": "/orders/**", "scopes": ["orders:delete"]},
        {"path": "/internal/**", "policy": "deny"}
      ]}
      """;

  @TempDir
  static Path dir;
  private static String serviceSecret;

  @BeforeAll
  static void startTesseraBehindCaddy(Vertx vertx) throws Exception {
    Path binary = ExternalTools.executable("caddy", "/usr/bin/caddy").orElse(null);
    ExternalTools.require(binary != null, "caddy", "apt-get install -y caddy");

    Path policy = dir.resolve("policy.json");
    Files.writeString(policy, POLICY);
    startTessera(vertx, Map.of("TESSERA_POLICY_FILE", policy.toString()));
    serviceSecret = tessera.createResourceServer(tessera.adminToken(), "billing", "read").getString("client_secret");

    int listen = TestNode.freePort();
    int api = TestNode.freePort();
    Path conf = dir.resolve("Caddyfile");
    Files.writeString(conf, GatewayProcess.render(EXAMPLE, Map.of("__LISTEN__", "127.0.0.1:" + listen,
        "__TESSERA__", "127.0.0.1:" + node.port(), "__API__", "127.0.0.1:" + api)));
    // Caddy keeps state under $HOME / XDG directories: point them into the test's own directory.
    Map<String, String> env = Map.of("HOME", dir.toString(), "XDG_DATA_HOME", dir.resolve("data").toString(),
        "XDG_CONFIG_HOME", dir.resolve("config").toString());
    GatewayProcess caddy = GatewayProcess.start("caddy", List.of(binary.toString(), "run", "--config", conf.toString(),
        "--adapter", "caddyfile"), env, dir, listen);
    gatewayStarted(vertx, caddy, listen);
    // The stand-in API is served by the same Caddy; wait for it too before the first test.
    GatewayProcess.awaitPort(api, caddy);
  }

  @Test
  void tokenWithoutAUsernameLeavesTheUsernameEmptyNotSpoofedOrAPlaceholder() {
    String access = tessera.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        basic("billing", serviceSecret)).bodyAsJsonObject().getString("access_token");
    HttpResponse<Buffer> r = spoofing("GET", "/orders", bearer(access));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.bodyAsString()).contains("subject=billing ", "username= ", "client=billing ")
        .doesNotContain("{http.", "root");
  }

  @Test
  void routeThePolicyDeniesIsForbiddenWhateverTheToken() {
    assertThat(gateway.get("/internal/metrics", bearer(login())).statusCode()).isEqualTo(403);
  }

  @Test
  void policySeesTheOriginalMethodThroughForwardAuth() {
    String token = bearer(login());
    assertThat(gateway.get("/orders/1", token).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> delete = raw.delete(gatewayPort, "127.0.0.1", "/orders/1").putHeader("Authorization", token)
        .send().await();
    assertThat(delete.statusCode()).isEqualTo(403);
    assertThat(delete.getHeader("WWW-Authenticate")).contains("error=\"insufficient_scope\"", "orders:delete");
  }
}
