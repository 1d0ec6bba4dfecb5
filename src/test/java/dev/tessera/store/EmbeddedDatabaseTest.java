package dev.tessera.store;

import dev.tessera.config.ConfigException;
import dev.tessera.testing.TestNode;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded PostgreSQL keeps the durability promise and lets in only Tessera (issue 15). */
class EmbeddedDatabaseTest {
  @TempDir
  static Path dataDir;
  private static TestNode node;

  @BeforeAll
  static void startNodeWithItsOwnDatabase() {
    node = TestNode.start(embeddedIn(dataDir));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void everyCommitIsFlushedToDiskBeforeItIsAcknowledged() throws Exception {
    try (Connection c = connect(dataDir, password(dataDir))) {
      assertThat(show(c, "fsync")).isEqualTo("on");
      assertThat(show(c, "synchronous_commit")).isEqualTo("on");
      assertThat(show(c, "full_page_writes")).isEqualTo("on");
    }
  }

  @Test
  void aConnectionWithoutThePasswordIsRefused() {
    assertThatThrownBy(() -> connect(dataDir, null).close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password");
    assertThatThrownBy(() -> connect(dataDir, "not-the-password").close()).isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
  }

  @Test
  void thePasswordIsKeptInTheDataDirectoryReadableByItsOwnerOnly() throws Exception {
    Path file = dataDir.resolve(EmbeddedPassword.FILE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(password(dataDir)).hasSizeGreaterThanOrEqualTo(40);
  }

  @Test
  void aSecondNodeOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsItsDatabase() throws Exception {
    assertThatThrownBy(() -> TestNode.start(embeddedIn(dataDir)).close())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TESSERA_DATA_DIR")
        .hasMessageContaining("in use by another running Tessera");
    try (Connection c = connect(dataDir, password(dataDir))) {
      assertThat(show(c, "fsync")).isEqualTo("on");
    }
  }

  @Test
  void aDatabaseCreatedByAnEarlierTesseraStopsTrustingLocalConnections(@TempDir Path oldDataDir) throws Exception {
    // What earlier versions left behind: zonky's defaults, trust for every local connection.
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(oldDataDir.resolve("postgres"))
        .setCleanDataDirectory(false).start()) {
      assertThat(Files.readString(oldDataDir.resolve("postgres/pg_hba.conf"))).contains("trust");
    }

    try (TestNode upgraded = TestNode.start(embeddedIn(oldDataDir))) {
      assertThatThrownBy(() -> connect(oldDataDir, null).close()).isInstanceOf(SQLException.class);
      try (Connection c = connect(oldDataDir, password(oldDataDir))) {
        assertThat(show(c, "fsync")).isEqualTo("on");
      }
    }
  }

  private static Map<String, Object> embeddedIn(Path dir) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("TESSERA_DB_URL", null);
    overrides.put("TESSERA_DATA_DIR", dir.toString());
    return overrides;
  }

  private static String password(Path dir) throws Exception {
    return Files.readString(dir.resolve(EmbeddedPassword.FILE_NAME)).trim();
  }

  /** postmaster.pid's fourth line is the port the running server listens on. */
  private static Connection connect(Path dir, String password) throws Exception {
    List<String> pid = Files.readAllLines(dir.resolve("postgres/postmaster.pid"));
    String url = "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres";
    return password == null ? DriverManager.getConnection(url + "?user=postgres")
        : DriverManager.getConnection(url, "postgres", password);
  }

  private static String show(Connection c, String setting) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("show " + setting)) {
      r.next();
      return r.getString(1);
    }
  }
}
