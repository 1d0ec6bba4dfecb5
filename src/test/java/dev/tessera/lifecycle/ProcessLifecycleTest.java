package dev.tessera.lifecycle;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import dev.tessera.testing.TesseraProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What happens to a real Tessera process when it is killed, stopped, or misconfigured. */
@ExtendWith(VertxExtension.class)
class ProcessLifecycleTest {
  private static final Duration START = Duration.ofSeconds(60);

  @Test
  void aRevocationThatReturnedSurvivesKillMinusNine(Vertx vertx) {
    String db = TestDatabase.freshDatabaseUrl();
    String token;
    String kept;
    try (TesseraProcess process = TesseraProcess.start(TesseraProcess.testEnv(db)).awaitReady(START);
         TestClient http = new TestClient(vertx, process.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "frank@example.com", "user-password", "read");
      token = http.login("mobile", "frank@example.com", "user-password", "Pixel").getString("access_token");
      kept = http.login("mobile", "frank@example.com", "user-password", "iPhone").getString("access_token");

      assertThat(http.postForm("/oauth2/revoke", Map.of("token", token, "client_id", "mobile")).statusCode()).isEqualTo(200);
      process.kill(Duration.ofSeconds(10));
    }

    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, node.port())) {
      assertThat(http.get("/auth/verify", TestClient.bearer(token)).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", TestClient.bearer(kept)).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void sigtermFlushesLastUsedTimesAndExitsWithinTheGracePeriod(Vertx vertx) {
    String db = TestDatabase.freshDatabaseUrl();
    Map<String, String> env = TesseraProcess.testEnv(db);
    // Only the shutdown flush can write last-used times in this test.
    env.put("TESSERA_LAST_USED_FLUSH_INTERVAL", "PT1H");
    try (TesseraProcess process = TesseraProcess.start(env).awaitReady(START);
         TestClient http = new TestClient(vertx, process.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "gina@example.com", "user-password", "read");
      String token = http.login("mobile", "gina@example.com", "user-password", "Pixel").getString("access_token");
      assertThat(http.get("/auth/verify", TestClient.bearer(token)).statusCode()).isEqualTo(200);

      long started = System.nanoTime();
      process.terminate(Duration.ofSeconds(25));
      System.out.printf("SIGTERM to exit: %d ms%n", (System.nanoTime() - started) / 1_000_000);
      assertThat(process.output()).contains("shutting down");
    }

    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", db));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      String userId = http.json("GET", "/admin/api/users?q=gina", null, admin).bodyAsJsonObject()
          .getJsonArray("items").getJsonObject(0).getString("id");
      JsonObject session = http.json("GET", "/admin/api/users/" + userId + "/sessions", null, admin).bodyAsJsonObject()
          .getJsonArray("items").stream().map(JsonObject.class::cast)
          .filter(s -> "Pixel".equals(s.getString("device"))).findFirst().orElseThrow();
      assertThat(session.getString("last_used_at")).isNotNull();
    }
  }

  @Test
  void aBadSettingStopsTheProcessWithOneLineNamingTheKey() {
    Map<String, String> env = TesseraProcess.testEnv(TestDatabase.freshDatabaseUrl());
    env.put("TESSERA_ACCESS_TTL", "15min");
    try (TesseraProcess process = TesseraProcess.start(env)) {
      assertThat(process.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
      String output = process.output();
      assertThat(output).contains("configuration error: TESSERA_ACCESS_TTL");
      assertThat(output).doesNotContain("\tat ");
    }
  }

  /**
   * Started where there is no conf/ directory but a defaults file with one key: the built-in defaults
   * supply the rest (the jar starts from any directory, and an older file lacking new keys still starts),
   * and the file's key wins over them.
   */
  @Test
  void aDefaultsFileInTheWorkingDirectoryIsLaidOverTheBuiltInOnes(Vertx vertx, @TempDir Path workDir) throws Exception {
    Files.createDirectories(workDir.resolve("conf"));
    Files.writeString(workDir.resolve("conf/tessera.json"), "{\"TESSERA_ACCESS_TTL\": \"PT7M\"}");
    Map<String, String> env = TesseraProcess.testEnv(TestDatabase.freshDatabaseUrl());
    try (TesseraProcess process = TesseraProcess.start(workDir, env).awaitReady(START);
         TestClient http = new TestClient(vertx, process.port())) {
      JsonObject login = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "tessera-cli",
          "username", TestNode.ADMIN_USERNAME, "password", TestNode.ADMIN_PASSWORD, "scope", "admin")).bodyAsJsonObject();
      assertThat(login.getInteger("expires_in")).as(login.encode()).isEqualTo(420);
    }
  }

  @Test
  void aNamedDefaultsFileThatIsMissingStopsTheProcessWithOneLine(@TempDir Path workDir) {
    Map<String, String> env = TesseraProcess.testEnv(TestDatabase.freshDatabaseUrl());
    try (TesseraProcess process = TesseraProcess.start(workDir, env, "-Dtessera.config=missing.json")) {
      assertThat(process.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
      assertThat(process.output()).contains("configuration error: tessera.config: defaults file not found at "
          + workDir.resolve("missing.json")).doesNotContain("\tat ");
    }
  }

  @Test
  void anUnreachableDatabaseStopsTheProcessWithOneLineNamingTheKey() {
    Map<String, String> env = TesseraProcess.testEnv("postgresql://postgres@127.0.0.1:" + TestNode.freePort() + "/none");
    try (TesseraProcess process = TesseraProcess.start(env)) {
      assertThat(process.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
      assertThat(process.output()).contains("configuration error: TESSERA_DB_URL");
    }
  }
}
