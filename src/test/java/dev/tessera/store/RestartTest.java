package dev.tessera.store;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** All truth is in PostgreSQL: a restarted node knows every token and every revocation. */
@ExtendWith(VertxExtension.class)
class RestartTest {

  @Test
  void restartedNodeKeepsTokensAndRevocations(Vertx vertx) {
    Map<String, Object> sameDatabase = Map.of("TESSERA_DB_URL", TestDatabase.freshDatabaseUrl());
    String kept;
    String revoked;
    String gatewaySecret;
    try (TestNode first = TestNode.start(sameDatabase); TestClient http = new TestClient(vertx, first.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "rs-mobile", "read");
      gatewaySecret = http.createResourceServer(admin, "rs-gateway", "read").getString("client_secret");
      http.createUser(admin, "rs-quentin", "quentin-password", "read");
      kept = http.login("rs-mobile", "rs-quentin", "quentin-password", "phone").getString("access_token");
      revoked = http.login("rs-mobile", "rs-quentin", "quentin-password", "laptop").getString("access_token");
      assertThat(http.isActive("rs-gateway", gatewaySecret, revoked)).isTrue();
      assertThat(http.postForm("/oauth2/revoke", Map.of("client_id", "rs-mobile", "token", revoked)).statusCode())
          .isEqualTo(200);
    }

    try (TestNode second = TestNode.start(sameDatabase); TestClient http = new TestClient(vertx, second.port())) {
      JsonObject keptAnswer = http.introspect("rs-gateway", gatewaySecret, kept);
      assertThat(keptAnswer.getBoolean("active")).isTrue();
      assertThat(keptAnswer.getString("username")).isEqualTo("rs-quentin");
      assertThat(http.introspect("rs-gateway", gatewaySecret, revoked)).isEqualTo(new JsonObject().put("active", false));
      assertThat(http.get("/auth/verify", TestClient.bearer(revoked)).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void embeddedDatabaseUnderTheDataDirectorySurvivesARestart(Vertx vertx, @TempDir Path dataDir) {
    // TESSERA_DB_URL unset: the node starts its own PostgreSQL under TESSERA_DATA_DIR (a second one in
    // this JVM; EmbeddedDatabaseTest covers its settings, CrashRestartTest a killed process).
    Map<String, Object> embedded = new HashMap<>();
    embedded.put("TESSERA_DB_URL", null);
    embedded.put("TESSERA_DATA_DIR", dataDir.toString());
    String access;
    String refresh;
    try (TestNode first = TestNode.start(embedded); TestClient http = new TestClient(vertx, first.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "em-mobile", "read");
      http.createUser(admin, "em-rita", "rita-password", "read");
      JsonObject tokens = http.login("em-mobile", "em-rita", "rita-password", "phone");
      access = tokens.getString("access_token");
      refresh = tokens.getString("refresh_token");
    }
    assertThat(dataDir.resolve("postgres")).isDirectory();

    try (TestNode second = TestNode.start(embedded); TestClient http = new TestClient(vertx, second.port())) {
      var verified = http.get("/auth/verify", TestClient.bearer(access));
      assertThat(verified.statusCode()).isEqualTo(200);
      assertThat(verified.getHeader("X-Auth-Username")).isEqualTo("em-rita");
      assertThat(http.refresh("em-mobile", refresh).statusCode()).isEqualTo(200);
    }
  }
}
