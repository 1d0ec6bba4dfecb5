package dev.tessera.gateway;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tessera.Tessera;
import dev.tessera.config.ConfigException;
import dev.tessera.config.TesseraConfig;
import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TESSERA_POLICY_FILE at start-up and while running, laid out the way a Kubernetes ConfigMap volume is. */
@ExtendWith(VertxExtension.class)
class PolicyReloadTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final String PUBLIC_ANONYMOUS = "{\"rules\": [{\"path\": \"/public/**\", \"policy\": \"anonymous\"}]}";
  private static final String PUBLIC_DENIED = "{\"rules\": [{\"path\": \"/public/**\", \"policy\": \"deny\"}]}";

  @TempDir
  Path dir;
  private int version;

  /**
   * A ConfigMap volume: policy.json → ..data/policy.json, ..data → ..2024_v1; an update writes a new
   * directory and swaps the ..data symlink atomically.
   */
  private Path publish(String content) {
    try {
      Path data = dir.resolve("..v" + (++version));
      Files.createDirectories(data);
      Files.writeString(data.resolve("policy.json"), content);
      Path link = dir.resolve("..data_tmp");
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, data.getFileName());
      Files.move(link, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Path file = dir.resolve("policy.json");
      if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(file, Path.of("..data/policy.json"));
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int publicStatus(TestClient http) {
    return http.request("GET", "/auth/verify/public/page", Map.of("Host", "api.example.com")).statusCode();
  }

  @Test
  void changedPolicyAppliesWithoutARestartAndABrokenChangeKeepsTheLastGoodOne(Vertx vertx) {
    Path file = publish(PUBLIC_ANONYMOUS);
    Logger watcherLog = (Logger) LoggerFactory.getLogger(PolicyWatcher.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    watcherLog.addAppender(logs);
    try (TestNode node = TestNode.start(Map.of("TESSERA_POLICY_FILE", file.toString(),
        "TESSERA_POLICY_RELOAD_INTERVAL", "PT0.1S"));
         TestClient http = new TestClient(vertx, node.port())) {
      assertThat(publicStatus(http)).isEqualTo(200);

      publish(PUBLIC_DENIED);
      Eventually.await("the changed policy applies", WITHIN, () -> publicStatus(http), s -> s == 403);

      publish("{\"rules\": [{\"path\": \"/public/**\", \"policy\": \"allow-everyone\"}]}");
      Eventually.await("the broken change is reported", WITHIN, () -> http.get("/metrics", null).bodyAsString(),
          m -> m.contains("tessera_policy_reload_failures_total 1.0") && m.contains("tessera_policy_file_valid 0.0"));
      assertThat(publicStatus(http)).as("last good policy still in force").isEqualTo(403);
      assertThat(logs.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
          .contains("keeping the last good one", file.toString(), "rule 1 (/public/**)", "allow-everyone"));

      publish(PUBLIC_ANONYMOUS);
      Eventually.await("the repaired policy applies", WITHIN, () -> publicStatus(http), s -> s == 200);
      assertThat(http.get("/metrics", null).bodyAsString()).contains("tessera_policy_file_valid 1.0");
    } finally {
      watcherLog.detachAppender(logs);
    }
  }

  @Test
  void badPolicyFileStopsStartUpWithOneLineNamingTheFileAndTheRule() throws IOException {
    Path file = dir.resolve("policy.yaml");
    Files.writeString(file, "rules:\n  - path: /a\n  - path: /orders/**\n    scope: [orders:read]\n");
    TesseraConfig config = TesseraConfig.from(TestNode.defaults()
        .put("TESSERA_HTTP_PORT", TestNode.freePort())
        .put("TESSERA_DB_URL", TestDatabase.freshDatabaseUrl())
        .put("TESSERA_POLICY_FILE", file.toString()));
    assertThatThrownBy(() -> Tessera.start(config).await()).isInstanceOf(ConfigException.class)
        .hasMessage("configuration error: TESSERA_POLICY_FILE: " + file
            + ": rule 2 (/orders/**): unknown field \"scope\" (expected host, methods, path, policy, scopes)");
  }

  @Test
  void missingPolicyFileStopsStartUp() {
    Path file = dir.resolve("absent.json");
    TesseraConfig config = TesseraConfig.from(TestNode.defaults()
        .put("TESSERA_HTTP_PORT", TestNode.freePort())
        .put("TESSERA_DB_URL", TestDatabase.freshDatabaseUrl())
        .put("TESSERA_POLICY_FILE", file.toString()));
    assertThatThrownBy(() -> Tessera.start(config).await()).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("configuration error: TESSERA_POLICY_FILE: " + file + ": cannot read");
  }
}
