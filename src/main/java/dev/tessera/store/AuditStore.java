package dev.tessera.store;

import dev.tessera.domain.AuditEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

public final class AuditStore {
  private static final String INSERT = "insert into audit_events (event, user_id, username, client_id, ip, detail) "
      + "values ($1, $2, $3, $4, $5, $6)";
  private static final String RECENT = "select id, at, event, user_id, username, client_id, ip, detail from audit_events "
      + "where ($1::text is null or lower(username) = lower($1)) order by id desc limit $2";

  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);

  private final Pool pool;
  private final FailureAuditLimit failures;

  public AuditStore(Pool pool) {
    this.pool = pool;
    this.failures = new FailureAuditLimit(this::record, com.github.benmanes.caffeine.cache.Ticker.systemTicker());
  }

  /** Fire and forget: a lost audit row must not fail the request it describes, but it is logged. */
  public void record(AuditEvent e) {
    insert(e).onFailure(err -> log.warn("audit event {} not recorded: {}", e.event(), err.getMessage()));
  }

  /**
   * A failed or throttled authentication: anyone can cause these, so each source address gets a bounded
   * number of rows of each kind a minute and the rest are summarised ({@link FailureAuditLimit}).
   */
  public void recordFailure(AuditEvent e) {
    if (failures.admit(e)) {
      record(e);
    }
  }

  public Future<Void> insert(AuditEvent e) {
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(e.event(), e.userId(), e.username(), e.clientId(), e.ip(), e.detail()))
        .mapEmpty();
  }

  public Future<List<AuditEvent>> recent(String username, int limit) {
    return pool.preparedQuery(RECENT).execute(Tuple.of(username, limit)).map(rows -> {
      List<AuditEvent> events = new ArrayList<>();
      for (Row r : rows) {
        Object detail = r.getValue("detail");
        events.add(new AuditEvent(r.getLong("id"), Rows.instant(r, "at"), r.getString("event"), r.getUUID("user_id"),
            r.getString("username"), r.getString("client_id"), r.getString("ip"),
            detail instanceof JsonObject j ? j : new JsonObject()));
      }
      return events;
    });
  }
}
