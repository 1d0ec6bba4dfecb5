package dev.tessera.store;

import dev.tessera.config.ConfigException;
import dev.tessera.config.TesseraConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.vertx.pgclient.PgConnectOptions;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the database is: an external PostgreSQL from {@code TESSERA_DB_URL}, or an embedded one under
 * the data directory. Start-up only — it runs JDBC (Flyway) and blocks, so it is called from
 * {@code main} before any event loop serves requests.
 */
public final class DatabaseServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseServer.class);

  private final PgConnectOptions connectOptions;
  private final EmbeddedPostgres embedded;

  private DatabaseServer(PgConnectOptions connectOptions, EmbeddedPostgres embedded) {
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  public static DatabaseServer start(TesseraConfig config) {
    DatabaseServer server = config.dbUrl().map(DatabaseServer::external).orElseGet(() -> embedded(config.dataDir()));
    try {
      server.migrate();
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static DatabaseServer external(String url) {
    URI uri = URI.create(url);
    PgConnectOptions options = new PgConnectOptions()
        .setHost(uri.getHost())
        .setPort(uri.getPort() > 0 ? uri.getPort() : 5432)
        .setDatabase(uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1));
    if (uri.getRawUserInfo() != null) {
      String[] userInfo = uri.getRawUserInfo().split(":", 2);
      options.setUser(decode(userInfo[0]));
      if (userInfo.length > 1) {
        options.setPassword(decode(userInfo[1]));
      }
    }
    return new DatabaseServer(options, null);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static DatabaseServer embedded(Path dataDir) {
    Path pgData = dataDir.resolve("postgres").toAbsolutePath();
    try {
      Files.createDirectories(pgData);
      new LeftoverPostgres(pgData).stopIfRunning();
      EmbeddedPassword password = EmbeddedPassword.loadOrCreate(dataDir, pgData);
      log.info("starting embedded PostgreSQL in {}", pgData);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(pgData)
          .setCleanDataDirectory(false)
          // Tessera.close() stops the database after draining requests and flushing; zonky's own hook
          // would race it and cut the flush off (issue 15).
          .setRegisterShutdownHook(false)
          // zonky's defaults are for throwaway test databases: a revocation answered 200 must survive a
          // host crash or power loss, and with fsync off the whole database may not.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setConnectConfig("password", password.value())
          // Crash recovery after a kill, with fsync on, can take longer than zonky's 10 s.
          .setPGStartupWait(Duration.ofSeconds(60));
      password.initdbOptions().forEach(o -> builder.setLocaleConfig(o[0], o[1]));
      EmbeddedPostgres pg = builder.start();
      try {
        password.enforce(pgData, pg.getPostgresDatabase());
      } catch (RuntimeException e) {
        pg.close();
        throw e;
      }
      PgConnectOptions options = new PgConnectOptions()
          .setHost("localhost").setPort(pg.getPort()).setDatabase("postgres").setUser("postgres")
          .setPassword(password.value());
      return new DatabaseServer(options, pg);
    } catch (ConfigException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("TESSERA_DATA_DIR",
          "cannot start embedded PostgreSQL in " + pgData + ": " + e.getMessage());
    }
  }

  private void migrate() {
    String jdbcUrl = "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort()
        + "/" + connectOptions.getDatabase();
    try {
      var result = Flyway.configure()
          .dataSource(jdbcUrl, connectOptions.getUser(), connectOptions.getPassword())
          .locations("classpath:db/migration")
          .connectRetries(3)
          .load()
          .migrate();
      if (result.migrationsExecuted > 0) {
        log.info("database schema migrated to version {}", result.targetSchemaVersion);
      }
    } catch (FlywayException e) {
      throw new ConfigException(embedded == null ? "TESSERA_DB_URL" : "TESSERA_DATA_DIR",
          "database at " + connectOptions.getHost() + ":" + connectOptions.getPort() + " not usable: "
              + firstLine(e.getMessage()));
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** Connection options for the reactive pool (a copy, so callers may tune it). */
  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }
}
