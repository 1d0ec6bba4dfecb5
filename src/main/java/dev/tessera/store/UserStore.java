package dev.tessera.store;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.User;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

public final class UserStore {
  private static final String COLUMNS = "id, username, password_hash, scopes, disabled, created_at";
  private static final String INSERT = "insert into users (id, username, username_key, password_hash, scopes) "
      + "values ($1, $2, $3, $4, $5) returning " + COLUMNS;
  private static final String BY_KEY = "select " + COLUMNS + " from users where username_key = $1";
  private static final String BY_ID = "select " + COLUMNS + " from users where id = $1";
  private static final String PAGE = "select " + COLUMNS + " from users "
      + "where ($1::uuid is null or id > $1) and ($2::text is null or strpos(username_key, $2) > 0) "
      + "order by id limit $3";
  private static final String UPDATE = "update users set "
      + "password_hash = coalesce($2, password_hash), scopes = coalesce($3, scopes), "
      + "disabled = coalesce($4, disabled), updated_at = now() where id = $1 returning " + COLUMNS;
  private static final String ANY = "select exists (select 1 from users)";

  private final Pool pool;

  public UserStore(Pool pool) {
    this.pool = pool;
  }

  public Future<User> insert(String username, String passwordHash, Scopes scopes) {
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(UUID.randomUUID(), username, User.key(username), passwordHash, scopes.toArray()))
        .<User>map(rows -> map(rows.iterator().next()))
        .recover(e -> e instanceof PgException pg && Conflict.UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new Conflict("a user with this username already exists"))
            : Future.failedFuture(e));
  }

  public Future<Optional<User>> findByUsername(String username) {
    return pool.preparedQuery(BY_KEY).execute(Tuple.of(User.key(username))).map(UserStore::first);
  }

  public Future<Optional<User>> findById(UUID id) {
    return pool.preparedQuery(BY_ID).execute(Tuple.of(id)).map(UserStore::first);
  }

  /** Keyset page ordered by id; {@code search} matches a case-insensitive substring of the username. */
  public Future<List<User>> page(UUID after, String search, int limit) {
    String needle = search == null || search.isBlank() ? null : User.key(search);
    return pool.preparedQuery(PAGE).execute(Tuple.of(after, needle, limit)).map(rows -> {
      List<User> users = new ArrayList<>();
      rows.forEach(r -> users.add(map(r)));
      return users;
    });
  }

  /** Changes only the non-null fields. Takes a client so it can run inside a caller's transaction. */
  public Future<Optional<User>> update(SqlClient client, UUID id, String passwordHash, Scopes scopes,
                                       Boolean disabled) {
    return client.preparedQuery(UPDATE)
        .execute(Tuple.of(id, passwordHash, scopes == null ? null : scopes.toArray(), disabled))
        .map(UserStore::first);
  }

  public Future<Boolean> anyExists() {
    return pool.query(ANY).execute().map(rows -> rows.iterator().next().getBoolean(0));
  }

  private static Optional<User> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(map(it.next())) : Optional.empty();
  }

  private static User map(Row r) {
    return new User(r.getUUID("id"), r.getString("username"), r.getString("password_hash"),
        Rows.scopes(r, "scopes"), r.getBoolean("disabled"), Rows.instant(r, "created_at"));
  }
}
