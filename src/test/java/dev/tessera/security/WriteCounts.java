package dev.tessera.security;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Row counts of every table a request could write, read straight from a node's database over JDBC, so
 * a test can show that a refused request changed nothing.
 */
record WriteCounts(long users, long clients, long sessions, long tokens, long revocations, long auditEvents) {
  private static final Pattern URL = Pattern.compile("postgresql://([^@/]+)@([^/]+)/(.+)");
  private static final String COUNTS = "select (select count(*) from users), (select count(*) from clients), "
      + "(select count(*) from sessions), (select count(*) from tokens), (select count(*) from revocations), "
      + "(select count(*) from audit_events)";

  /** Reads the counts from a {@code TESSERA_DB_URL} of the form the test harness makes. */
  static WriteCounts of(String dbUrl) {
    Matcher m = URL.matcher(dbUrl);
    if (!m.matches()) {
      throw new IllegalArgumentException("unexpected test database URL " + dbUrl);
    }
    String jdbc = "jdbc:postgresql://" + m.group(2) + "/" + m.group(3) + "?user=" + m.group(1);
    try (Connection c = DriverManager.getConnection(jdbc); Statement s = c.createStatement();
         ResultSet r = s.executeQuery(COUNTS)) {
      r.next();
      return new WriteCounts(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5), r.getLong(6));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count rows in the test database", e);
    }
  }

  WriteCounts plusAudit(long events) {
    return new WriteCounts(users, clients, sessions, tokens, revocations, auditEvents + events);
  }
}
