package dev.tessera.store;

import dev.tessera.domain.Session;
import dev.tessera.vertx.CallerContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Stores client_credentials sessions and their tokens as group commits. A lone issue is written at once, in
 * one statement, as before; issues that arrive while a write is in flight wait for it and then go together
 * in the next statement — one round trip, one commit and so one WAL flush for all of them. The batch is one
 * implicit transaction: if it fails, each of its sessions is written again alone, so one that cannot be
 * stored (its client deleted meanwhile) fails only its own issue.
 */
final class ClientSessionWriter {
  /**
   * Sessions without a user and their tokens, any number of each, in one statement. The foreign key from
   * tokens to sessions is checked at the end of the statement, when the sessions exist. Scopes travel
   * space-joined (a scope never holds a space).
   */
  static final String INSERT_CLIENT_SESSIONS = "with s as (insert into sessions "
      + "(id, user_id, client_id, device, scopes, created_at, expires_at) "
      + "select v.id, null, v.client_id, v.device, string_to_array(v.scopes, ' '), v.created_at, v.expires_at "
      + "from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[]) "
      + "as v(id, client_id, device, scopes, created_at, expires_at)) "
      + "insert into tokens (hash, id, session_id, kind, scopes, issued_at, expires_at) "
      + "select v.hash, v.id, v.session_id, v.kind, string_to_array(v.scopes, ' '), v.issued_at, v.expires_at "
      + "from unnest($7::bytea[], $8::uuid[], $9::uuid[], $10::text[], $11::text[], $12::timestamptz[], "
      + "$13::timestamptz[]) as v(hash, id, session_id, kind, scopes, issued_at, expires_at)";
  /** Bounds one statement's size; beyond it the rest wait for the next round trip. */
  private static final int MAX_SESSIONS = 128;

  private final Pool pool;
  private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
  private boolean writing;

  ClientSessionWriter(Pool pool) {
    this.pool = pool;
  }

  /** One issue: its session, its tokens, and its answer (bound to the caller's event loop). */
  private record Pending(Session session, List<NewToken> tokens, Promise<Void> written) {
  }

  Future<Void> write(Session session, List<NewToken> tokens) {
    Pending pending = new Pending(session, tokens, CallerContext.promise());
    List<Pending> batch;
    synchronized (this) {
      waiting.add(pending);
      if (writing) {
        return pending.written().future();
      }
      writing = true;
      batch = take();
    }
    send(batch);
    return pending.written().future();
  }

  /** Under the lock. */
  private List<Pending> take() {
    List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_SESSIONS));
    while (!waiting.isEmpty() && batch.size() < MAX_SESSIONS) {
      batch.add(waiting.poll());
    }
    return batch;
  }

  private void send(List<Pending> batch) {
    insert(batch).onComplete(result -> {
      if (result.succeeded() || batch.size() == 1) {
        batch.forEach(p -> p.written().handle(result));
      } else {
        batch.forEach(p -> insert(List.of(p)).onComplete(p.written()));
      }
      List<Pending> next;
      synchronized (this) {
        if (waiting.isEmpty()) {
          writing = false;
          return;
        }
        next = take();
      }
      send(next);
    });
  }

  private Future<Void> insert(List<Pending> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    String[] clients = new String[n];
    String[] devices = new String[n];
    String[] scopes = new String[n];
    OffsetDateTime[] created = new OffsetDateTime[n];
    OffsetDateTime[] expires = new OffsetDateTime[n];
    int m = batch.stream().mapToInt(p -> p.tokens().size()).sum();
    Buffer[] hashes = new Buffer[m];
    UUID[] tokenIds = new UUID[m];
    UUID[] sessionIds = new UUID[m];
    String[] kinds = new String[m];
    String[] tokenScopes = new String[m];
    OffsetDateTime[] issued = new OffsetDateTime[m];
    OffsetDateTime[] tokenExpires = new OffsetDateTime[m];
    int t = 0;
    for (int i = 0; i < n; i++) {
      Session s = batch.get(i).session();
      ids[i] = s.id();
      clients[i] = s.clientId();
      devices[i] = s.device();
      scopes[i] = s.scopes().toString();
      created[i] = Rows.timestamp(s.createdAt());
      expires[i] = Rows.timestamp(s.expiresAt());
      for (NewToken k : batch.get(i).tokens()) {
        hashes[t] = Buffer.buffer(k.hash().bytes());
        tokenIds[t] = k.id();
        sessionIds[t] = s.id();
        kinds[t] = k.kind().dbName();
        tokenScopes[t] = k.scopes().toString();
        issued[t] = Rows.timestamp(k.issuedAt());
        tokenExpires[t] = Rows.timestamp(k.expiresAt());
        t++;
      }
    }
    Tuple args = Tuple.tuple().addArrayOfUUID(ids).addArrayOfString(clients).addArrayOfString(devices)
        .addArrayOfString(scopes).addArrayOfOffsetDateTime(created).addArrayOfOffsetDateTime(expires)
        .addArrayOfBuffer(hashes).addArrayOfUUID(tokenIds).addArrayOfUUID(sessionIds).addArrayOfString(kinds)
        .addArrayOfString(tokenScopes).addArrayOfOffsetDateTime(issued).addArrayOfOffsetDateTime(tokenExpires);
    try {
      return pool.preparedQuery(INSERT_CLIENT_SESSIONS).execute(args).mapEmpty();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
