package dev.tessera.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real embedded PostgreSQL per test JVM; each caller gets a fresh, empty database in it, so test
 * classes never see each other's rows.
 */
public final class TestDatabase {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestDatabase() {
  }

  private static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        // Throwaway test data: fsync and synchronous commit off on purpose, for speed. The shipped
        // embedded server turns both on (DatabaseServer; EmbeddedDatabaseTest checks it).
        server = EmbeddedPostgres.builder().setServerConfig("max_connections", "300")
            .setServerConfig("fsync", "off").setServerConfig("synchronous_commit", "off").start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
      }
    }
    return server;
  }

  /** Creates a new database and returns its {@code TESSERA_DB_URL}. */
  public static String freshDatabaseUrl() {
    EmbeddedPostgres pg = server();
    String name = "tessera_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database", e);
    }
    return "postgresql://postgres@localhost:" + pg.getPort() + "/" + name;
  }

  /** A plain JDBC connection to a database made by {@link #freshDatabaseUrl()}, for a test acting from outside. */
  public static Connection connect(String dbUrl) throws SQLException {
    URI uri = URI.create(dbUrl);
    return DriverManager.getConnection("jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(),
        uri.getUserInfo(), "");
  }
}
