// Same-run limits for bench/run.sh: the HTTP shape of Tessera's endpoints with nothing, or only the
// database work, behind them. One verticle per event loop (INSTANCES), Vert.x core only (no vertx-web
// router, no HTTP server metrics).
//
// Bare mode (no PG_PORT): the limit for the cache-hit rows.
//   POST /oauth2/introspect  reads the urlencoded body and decodes it with Netty's QueryStringDecoder (what
//                            Tessera does; Vert.x's multipart decoder throws per request and would flatter
//                            Tessera), reads the token and the Authorization header, answers a fixed JSON body
//   GET  /auth/verify        reads the Authorization header, answers 200 with fixed X-Auth-* headers
//
// Database mode (PG_PORT given): the limit for the cache-miss and issue rows. Same routes, plus the database
// work Tessera cannot avoid, run against Tessera's own (embedded) PostgreSQL with Tessera's own SQL, read from
// dev.tessera.store.TokenStore so the two cannot drift:
//   POST /oauth2/introspect, GET /auth/verify  SHA-256 of the presented token, then TokenStore's one-row
//                            lookup (prepared, cached statement), row decoded, fixed answer
//   POST /oauth2/token       one transaction with TokenStore's two inserts (session, then its access token),
//                            what a client_credentials issue writes; answers a token-shaped JSON body
// Each verticle has its own pool on its own event loop (PoolOptions size DB_POOL / INSTANCES, pipelining 16,
// like Tessera's); nothing else runs per request.
//
// usage: java -cp tessera.jar bench/baseline/Baseline.java PORT INSTANCES [BODY_FILE [HEADERS_FILE [PG_PORT [DB_POOL]]]]
//   BODY_FILE     the exact introspection answer to send (run.sh captures Tessera's own, so the sizes match);
//                 "-" or absent: a built-in answer of the same shape (276 bytes)
//   HEADERS_FILE  "Name: value" lines for the verify answer (run.sh captures all of Tessera's answer headers
//                 but the framing ones, so both servers send the same bytes)
//   PG_PORT       port of Tessera's embedded PostgreSQL on 127.0.0.1 (user postgres, database postgres)
//   DB_POOL       total connections over all verticles (default 16, Tessera's TESSERA_DB_POOL_SIZE)
// Environment: PG_PASSWORD_FILE, the embedded database's password file (TESSERA_DATA_DIR/postgres-password);
//   INTROSPECT_HEADERS_FILE, the introspection answer's headers in the HEADERS_FILE format (run.sh captures them).
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

public class Baseline {
  static final String DEFAULT_BODY = "{\"active\":true,\"scope\":\"api.read api.write\",\"client_id\":\"bench-app\","
      + "\"username\":\"alice@example.com\",\"sub\":\"b2511712-334d-41d5-b23e-4833ca7854b2\",\"token_type\":\"Bearer\","
      + "\"exp\":1795614179,\"iat\":1795613279,\"jti\":\"911a3936-8d82-4daf-ba34-137a267d16e4\","
      + "\"iss\":\"http://localhost:18080\"}";
  static final String ISSUED_PREFIX = "{\"access_token\":\"";
  static final String ISSUED_SUFFIX = "\",\"token_type\":\"Bearer\",\"expires_in\":900,\"scope\":\"api.read api.write\"}";

  static Buffer body;
  static final List<String[]> verifyHeaders = new ArrayList<>();
  /** The introspection answer's headers: Tessera's own when run.sh passes INTROSPECT_HEADERS_FILE. */
  static final List<String[]> introspectHeaders = new ArrayList<>(List.of(
      new String[] {"Content-Type", "application/json;charset=UTF-8"}, new String[] {"Cache-Control", "no-store"}));
  static final CharSequence JSON = HttpHeaders.createOptimized("application/json;charset=UTF-8");
  static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  static int pgPort;
  static int dbPool = 16;
  static String recordSql;
  static String insertSessionSql;
  static String insertTokenSql;
  static String pgPassword;
  static final java.util.concurrent.atomic.AtomicInteger FAILURES = new java.util.concurrent.atomic.AtomicInteger();

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    body = Buffer.buffer(args.length > 2 && !"-".equals(args[2]) ? Files.readAllBytes(Path.of(args[2])) : DEFAULT_BODY.getBytes());
    if (args.length > 3 && !"-".equals(args[3])) {
      verifyHeaders.addAll(headers(Path.of(args[3])));
    } else {
      verifyHeaders.add(new String[] {"X-Auth-Subject", "b2511712-334d-41d5-b23e-4833ca7854b2"});
      verifyHeaders.add(new String[] {"X-Auth-Client-Id", "bench-app"});
      verifyHeaders.add(new String[] {"X-Auth-Scope", "api.read api.write"});
      verifyHeaders.add(new String[] {"X-Auth-Username", "alice@example.com"});
      verifyHeaders.add(new String[] {"Cache-Control", "private, max-age=1"});
    }
    String introspectHeadersFile = System.getenv("INTROSPECT_HEADERS_FILE");
    if (introspectHeadersFile != null && Files.exists(Path.of(introspectHeadersFile))) {
      introspectHeaders.clear();
      introspectHeaders.addAll(headers(Path.of(introspectHeadersFile)));
    }
    if (args.length > 4) {
      pgPort = Integer.parseInt(args[4]);
      dbPool = args.length > 5 ? Integer.parseInt(args[5]) : 16;
      String passwordFile = System.getenv("PG_PASSWORD_FILE");
      // Older builds ran the embedded database without a password.
      pgPassword = passwordFile == null || !Files.exists(Path.of(passwordFile)) ? null
          : Files.readString(Path.of(passwordFile)).trim();
      recordSql = tesseraSql("RECORD");
      insertSessionSql = tesseraSql("INSERT_SESSION");
      insertTokenSql = tesseraSql("INSERT_TOKEN");
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Math.max(instances, 1)));
    int perVerticle = Math.max(1, dbPool / Math.max(instances, 1));
    vertx.deployVerticle(() -> new Server(port, perVerticle), new DeploymentOptions().setInstances(instances))
        .onSuccess(id -> System.out.println("baseline listening on port " + port + " (" + instances + " verticles, body "
            + body.length() + " bytes" + (pgPort > 0 ? ", database mode: PostgreSQL :" + pgPort + ", " + perVerticle
            + " connections per verticle" : ", bare mode") + ")"))
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  /** "Name: value" lines: the headers of one of Tessera's answers, as run.sh captured them. */
  static List<String[]> headers(Path file) throws java.io.IOException {
    List<String[]> headers = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
      }
    }
    return headers;
  }

  /** Tessera's statement text, so the baseline runs exactly the query Tessera runs. */
  static String tesseraSql(String constant) throws ReflectiveOperationException {
    var field = Class.forName("dev.tessera.store.TokenStore").getDeclaredField(constant);
    field.setAccessible(true);
    return (String) field.get(null);
  }

  static final class Server extends VerticleBase {
    private final int port;
    private final int connections;
    private Pool pool;

    Server(int port, int connections) {
      this.port = port;
      this.connections = connections;
    }

    @Override
    public Future<?> start() {
      if (pgPort > 0) {
        pool = PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(connections))
            .connectingTo(new PgConnectOptions().setHost("localhost").setPort(pgPort).setDatabase("postgres")
                .setUser("postgres").setPassword(pgPassword).setPipeliningLimit(16).setCachePreparedStatements(true))
            .using(vertx)
            .build();
      }
      return vertx.createHttpServer(new HttpServerOptions().setPort(port).setCompressionSupported(false))
          .requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
      String path = req.path();
      if (req.method() == HttpMethod.POST && "/oauth2/introspect".equals(path)) {
        req.body().onSuccess(buffer -> {
          String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
          List<String> token = form(buffer).parameters().get("token");
          if (auth == null || token == null) {
            req.response().setStatusCode(401).end();
            return;
          }
          lookup(token.get(0), req.response(), response -> {
            for (String[] h : introspectHeaders) {
              response.putHeader(h[0], h[1]);
            }
            response.end(body);
          });
        });
      } else if (req.method() == HttpMethod.GET && "/auth/verify".equals(path)) {
        String auth = req.getHeader(HttpHeaders.AUTHORIZATION);
        if (auth == null || !auth.startsWith("Bearer ")) {
          req.response().setStatusCode(401).end();
          return;
        }
        lookup(auth.substring(7), req.response(), response -> {
          for (String[] h : verifyHeaders) {
            response.putHeader(h[0], h[1]);
          }
          response.end();
        });
      } else if (req.method() == HttpMethod.POST && "/oauth2/token".equals(path) && pool != null) {
        req.body().onSuccess(buffer -> {
          if (req.getHeader(HttpHeaders.AUTHORIZATION) == null || form(buffer).parameters().get("grant_type") == null) {
            req.response().setStatusCode(401).end();
            return;
          }
          issue(req.response());
        });
      } else {
        req.response().setStatusCode(404).end();
      }
    }

    private static QueryStringDecoder form(Buffer buffer) {
      return new QueryStringDecoder(buffer.toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8, false, 64);
    }

    private void lookup(String token, HttpServerResponse response, java.util.function.Consumer<HttpServerResponse> answer) {
      if (pool == null) {
        answer.accept(response);
        return;
      }
      pool.preparedQuery(recordSql).execute(Tuple.of(Buffer.buffer(sha256(token)))).onComplete(ar -> {
        if (ar.failed()) {
          reportFailure(ar.cause());
          response.setStatusCode(503).end();
          return;
        }
        var it = ar.result().iterator();
        if (it.hasNext()) {
          decode(it.next());
        }
        answer.accept(response);
      });
    }

    /** Reads every column, as Tessera's row mapper does. */
    private static void decode(Row r) {
      r.getUUID("id");
      r.getString("kind");
      r.getUUID("session_id");
      r.getUUID("user_id");
      r.getString("username");
      r.getString("client_id");
      r.getArrayOfStrings("scopes");
      r.getOffsetDateTime("issued_at");
      r.getOffsetDateTime("expires_at");
      r.getOffsetDateTime("session_expires_at");
      r.getBoolean("revoked");
      r.getBoolean("used");
    }

    /** What a client_credentials issue writes: a session and its access token, in one transaction. */
    private void issue(HttpServerResponse response) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      byte[] raw = new byte[32];
      random.nextBytes(raw);
      String token = "tsr_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
      UUID session = UUID.randomUUID();
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0);
      OffsetDateTime expires = now.plusMinutes(15);
      String[] scopes = {"api.read", "api.write"};
      pool.withTransaction(tx -> tx.preparedQuery(insertSessionSql)
              .execute(Tuple.of(session, null, "bench-rs", "bench", scopes, now, expires))
              .compose(r -> tx.preparedQuery(insertTokenSql).execute(Tuple.of(Buffer.buffer(sha256(token)),
                  UUID.randomUUID(), session, "access", scopes, now, expires))))
          .onComplete(ar -> {
            if (ar.failed()) {
              reportFailure(ar.cause());
              response.setStatusCode(503).end();
              return;
            }
            response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
                .end(ISSUED_PREFIX + token + ISSUED_SUFFIX);
          });
    }

    /** The first few database failures go to the log (run.sh keeps it), the rest only count as 503s. */
    private static void reportFailure(Throwable e) {
      if (FAILURES.incrementAndGet() <= 5) {
        System.err.println("database failure: " + e);
      }
    }

    private static byte[] sha256(String token) {
      try {
        return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
