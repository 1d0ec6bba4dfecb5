package dev.tessera.ops;

import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * conf/nginx-example.conf, run by a real nginx in front of a real node: the file an operator copies is
 * the file under test, with only its placeholders filled in.
 */
@ExtendWith(VertxExtension.class)
class NginxForwardAuthTest extends ForwardAuthGatewayContract {
  private static final Path EXAMPLE = Path.of("conf/nginx-example.conf");

  @TempDir
  static Path prefix;

  @BeforeAll
  static void startTesseraBehindNginx(Vertx vertx) throws Exception {
    Path binary = ExternalTools.executable("nginx", "/usr/sbin/nginx").orElse(null);
    ExternalTools.require(binary != null, "nginx (with the auth_request module)", "apt-get install -y nginx-light");
    startTessera(vertx, Map.of());

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
    gatewayStarted(vertx, GatewayProcess.start("nginx", List.of(binary.toString(), "-p", prefix.toString(),
        "-c", conf.toString(), "-e", errorLog.toString(), "-g", globals), Map.of(), prefix.resolve("logs"), listen,
        errorLog), listen);
  }
}
