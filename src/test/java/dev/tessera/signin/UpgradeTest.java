package dev.tessera.signin;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestDatabase;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A data directory from before issue 12 (schema V5, the panel's tessera-admin with the password grant)
 * comes up with tessera-admin on the code flow and a tessera-cli for scripts.
 */
@ExtendWith(VertxExtension.class)
class UpgradeTest {

  @Test
  void anOldDeploymentGetsThePanelOnTheCodeFlowAndACliClient(Vertx vertx) throws Exception {
    String dbUrl = TestDatabase.freshDatabaseUrl();
    URI uri = URI.create(dbUrl);
    Flyway.configure().dataSource("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(),
            uri.getUserInfo(), "")
        .locations("classpath:db/migration").target("5").load().migrate();
    try (Connection c = TestDatabase.connect(dbUrl); Statement s = c.createStatement()) {
      s.execute("insert into clients (client_id, name, confidential, grant_types, scopes) "
          + "values ('tessera-admin', 'Tessera admin panel', false, '{password,refresh_token}', '{admin}')");
    }
    // No user yet, so the first-start bootstrap runs as well: it must leave the migrated clients as they are.
    try (TestNode node = TestNode.start(Map.of("TESSERA_DB_URL", dbUrl, "TESSERA_ADMIN_PASSWORD", "unused-password"))) {
      try (Connection c = TestDatabase.connect(dbUrl); Statement s = c.createStatement()) {
        var panel = s.executeQuery("select grant_types::text, redirect_uris::text from clients where client_id = 'tessera-admin'");
        assertThat(panel.next()).isTrue();
        assertThat(panel.getString(1)).isEqualTo("{authorization_code,refresh_token}");
        assertThat(panel.getString(2)).isEqualTo("{/admin/}");
        var cli = s.executeQuery("select grant_types::text, scopes::text, confidential from clients where client_id = 'tessera-cli'");
        assertThat(cli.next()).isTrue();
        assertThat(cli.getString(1)).isEqualTo("{password}");
        assertThat(cli.getString(2)).isEqualTo("{admin}");
        assertThat(cli.getBoolean(3)).isFalse();
      }
      try (TestClient http = new TestClient(vertx, node.port())) {
        JsonObject refused = http.passwordGrant("tessera-admin", TestNode.ADMIN_USERNAME, "unused-password", "admin")
            .bodyAsJsonObject();
        assertThat(refused.getString("error")).isEqualTo("unauthorized_client");
      }
    }
  }
}
