package dev.tessera.store;

import dev.tessera.config.ConfigException;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.List;

/**
 * The embedded PostgreSQL's superuser password: generated on first start, kept in the data directory
 * readable by its owner only, and required for every connection (SCRAM, loopback only) instead of
 * zonky's {@code trust}, which let any local user in as superuser.
 */
final class EmbeddedPassword {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPassword.class);
  static final String FILE_NAME = "postgres-password";
  private static final String HBA = """
      # Written by Tessera: SCRAM password authentication only, loopback only.
      # The password is in the Tessera data directory (postgres-password, owner-only).
      local   all   all                 scram-sha-256
      host    all   all   127.0.0.1/32  scram-sha-256
      host    all   all   ::1/128       scram-sha-256
      """;

  private final Path file;
  private final String password;

  private EmbeddedPassword(Path file, String password) {
    this.file = file;
    this.password = password;
  }

  /** Reads the password kept under {@code dataDir}, or creates one if the database is new or still trusting. */
  static EmbeddedPassword loadOrCreate(Path dataDir, Path pgData) {
    Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
    try {
      if (Files.exists(file)) {
        return new EmbeddedPassword(file, Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      if (Files.exists(pgData.resolve("pg_hba.conf")) && !trusts(pgData)) {
        // Without the file nobody can sign in, and a new password would not match the one set.
        throw new ConfigException("TESSERA_DATA_DIR", "the embedded PostgreSQL in " + pgData
            + " requires a password but " + file + " is missing; restore it from a backup of the data directory");
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      writeOwnerOnly(file, password);
      return new EmbeddedPassword(file, password);
    } catch (IOException e) {
      throw new ConfigException("TESSERA_DATA_DIR", "cannot read or write " + file + ": " + e.getMessage());
    }
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system (Windows): the directory's own access rules apply.
      Files.createFile(tmp);
    } catch (FileAlreadyExistsException e) {
      throw new IOException("another process is creating " + tmp, e);
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }

  String value() {
    return password;
  }

  Path file() {
    return file;
  }

  /** initdb options for a new database: SCRAM from the start, superuser password from the file. */
  List<String[]> initdbOptions() {
    return List.of(new String[] {"auth", "scram-sha-256"}, new String[] {"pwfile", file.toString()});
  }

  /**
   * A database created by an earlier Tessera trusts local connections: set the password (hashed on
   * this side, so it never reaches the server's logs), switch pg_hba.conf to SCRAM, and reload.
   */
  void enforce(Path pgData, DataSource database) {
    if (!trusts(pgData)) {
      return;
    }
    try (Connection c = database.getConnection(); Statement s = c.createStatement()) {
      c.unwrap(PGConnection.class).alterUserPassword("postgres", password.toCharArray(), null);
      Files.writeString(pgData.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
      s.execute("select pg_reload_conf()");
      log.info("embedded PostgreSQL in {} trusted every local connection; it now requires the password kept in {}",
          pgData, file);
    } catch (SQLException | IOException e) {
      throw new ConfigException("TESSERA_DATA_DIR", "cannot switch the embedded PostgreSQL in " + pgData
          + " to password authentication: " + e.getMessage());
    }
  }

  private static boolean trusts(Path pgData) {
    try {
      return Files.readAllLines(pgData.resolve("pg_hba.conf")).stream()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .anyMatch(line -> line.matches(".*\\strust(\\s.*)?"));
    } catch (IOException e) {
      return false;
    }
  }
}
