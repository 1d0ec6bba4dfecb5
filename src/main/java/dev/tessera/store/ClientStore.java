package dev.tessera.store;

import dev.tessera.domain.Client;
import dev.tessera.domain.GrantType;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

public final class ClientStore {
  private static final String COLUMNS = "client_id, name, secret_hash, confidential, grant_types, scopes, introspect, redirect_uris, created_at";
  private static final String INSERT = "insert into clients (client_id, name, secret_hash, confidential, grant_types, scopes, introspect, redirect_uris) "
      + "values ($1, $2, $3, $4, $5, $6, $7, $8) returning " + COLUMNS;
  private static final String BY_ID = "select " + COLUMNS + " from clients where client_id = $1";
  private static final String ALL = "select " + COLUMNS + " from clients order by client_id";
  private static final String DELETE = "delete from clients where client_id = $1";
  private static final String UPDATE = "update clients set name = coalesce($2, name), "
      + "secret_hash = coalesce($3, secret_hash), introspect = coalesce($4, introspect) where client_id = $1";

  private final Pool pool;

  public ClientStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Client> insert(SqlClient client, Client c) {
    String[] grants = c.grantTypes().stream().map(GrantType::wireName).sorted().toArray(String[]::new);
    return client.preparedQuery(INSERT)
        .execute(Tuple.of(c.clientId(), c.name(), c.secretHash().orElse(null), c.confidential(), grants,
            c.scopes().toArray(), c.introspect(), c.redirectUris().toArray(String[]::new)))
        .<Client>map(rows -> map(rows.iterator().next()))
        .recover(e -> e instanceof PgException pg && Conflict.UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new Conflict("a client with this client_id already exists"))
            : Future.failedFuture(e));
  }

  public Future<Client> insert(Client c) {
    return insert(pool, c);
  }

  public Future<Optional<Client>> find(String clientId) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(clientId)).map(ClientStore::first);
  }

  public Future<List<Client>> all() {
    return pool.query(ALL).execute().map(rows -> {
      List<Client> clients = new ArrayList<>();
      rows.forEach(r -> clients.add(map(r)));
      return clients;
    });
  }

  /** Null arguments leave their column as it is. @return whether the client exists */
  public Future<Boolean> update(SqlClient client, String clientId, String name, String secretHash, Boolean introspect) {
    return client.preparedQuery(UPDATE).execute(Tuple.of(clientId, name, secretHash, introspect))
        .map(rows -> rows.rowCount() > 0);
  }

  /** @return whether a client was deleted */
  public Future<Boolean> delete(SqlClient client, String clientId) {
    return client.preparedQuery(DELETE).execute(Tuple.of(clientId)).map(rows -> rows.rowCount() > 0);
  }

  private static Optional<Client> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(map(it.next())) : Optional.empty();
  }

  private static Client map(Row r) {
    EnumSet<GrantType> grants = EnumSet.noneOf(GrantType.class);
    for (String g : r.getArrayOfStrings("grant_types")) {
      GrantType.fromWire(g).ifPresent(grants::add);
    }
    return new Client(r.getString("client_id"), r.getString("name"), Optional.ofNullable(r.getString("secret_hash")),
        r.getBoolean("confidential"), grants, Rows.scopes(r, "scopes"), r.getBoolean("introspect"),
        List.of(r.getArrayOfStrings("redirect_uris")), Rows.instant(r, "created_at"));
  }
}
