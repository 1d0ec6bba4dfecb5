package dev.tessera.security;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import dev.tessera.token.TokenCodec;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input over real HTTP, endpoint by endpoint: every request gets the endpoint's standard refusal
 * (RFC 6749 §5.2 JSON, RFC 6750 §3 challenge, RFC 7662 inactive, RFC 9457 problem, or the HTTP server's
 * own 4xx for requests it cannot parse), within a bound, and writes nothing to the database.
 *
 * <p>Each hostile request, and each barrier, comes from an address of its own (named by 127.0.0.1 as a
 * trusted proxy): an address's back-off after its free failures, and the cap on failure audit rows per
 * address, are tested elsewhere (ClientAuthThrottleTest, AnonymousWorkTest) and would otherwise answer
 * the later cases in place of the refusal each one is about.
 */
@ExtendWith(VertxExtension.class)
class HostileInputTest {
  private static final Duration BOUND = Duration.ofSeconds(2);
  private static final int MAX_BODY = 16 * 1024;

  private static TestNode node;
  private static TestClient http;
  private static Vertx vertx;
  private static String admin;
  private static String gatewaySecret;
  private static String access;
  private static String refresh;
  private static String userId;

  /** One hostile request, what it must be answered with, and how many audit rows the refusal may add. */
  record Hostile(Function<TestClient, HttpResponse<Buffer>> send, Consumer<HttpResponse<Buffer>> expect,
      ToIntFunction<HttpResponse<Buffer>> audits) {
  }

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    node = TestNode.start(Map.of("TESSERA_MAX_BODY_BYTES", MAX_BODY, "TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"));
    http = new TestClient(vertx, node.port());
    admin = http.adminToken();
    http.createPublicClient(admin, "hi-mobile", "read", "write");
    gatewaySecret = http.createResourceServer(admin, "hi-gateway", "read").getString("client_secret");
    userId = http.createUser(admin, "hi-olga", "olga-password", "read", "write").getString("id");
    JsonObject tokens = http.login("hi-mobile", "hi-olga", "olga-password", "phone");
    access = tokens.getString("access_token");
    refresh = tokens.getString("refresh_token");
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileRequests")
  void hostileRequestGetsTheStandardRefusalQuicklyAndWritesNothing(String name, Hostile hostile) {
    WriteCounts before = counts();

    long started = System.nanoTime();
    HttpResponse<Buffer> response = hostile.send().apply(http.forwardedFor(TestClient.freshAddress()));
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(response.statusCode()).as("%s: %s", name, response.bodyAsString()).isNotEqualTo(500);
    hostile.expect().accept(response);
    assertThat(took).as("%s answered within %s", name, BOUND).isLessThan(BOUND);
    assertWroteNothingBut(hostile.audits().applyAsInt(response), before);
  }

  static Stream<Arguments> hostileRequests() {
    List<Arguments> cases = new ArrayList<>();
    // ---- size limits
    cases.add(hostile("token body over the body limit",
        c -> c.postFormBody("/oauth2/token", "grant_type=password&client_id=hi-mobile&username=hi-olga&password="
            + "p".repeat(MAX_BODY * 2), null),
        r -> oauthError(r, "invalid_request", 400, 413)));
    cases.add(hostile("admin JSON body of 1 MB",
        c -> c.send("POST", "/admin/api/users", "application/json",
            Buffer.buffer(new JsonObject().put("username", "big").put("password", "x".repeat(1 << 20)).encode()), admin),
        r -> problem(r, 413, 400)));
    // ---- content types
    cases.add(hostile("token request without a content type",
        c -> c.postRaw("/oauth2/token", null, Buffer.buffer("grant_type=client_credentials"), basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("token request as text/plain",
        c -> c.postRaw("/oauth2/token", "text/plain", Buffer.buffer("grant_type=client_credentials"), basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("token request as JSON",
        c -> c.postRaw("/oauth2/token", "application/json", Buffer.buffer("{\"grant_type\":\"client_credentials\"}"),
            basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("introspection as multipart/form-data",
        c -> c.postRaw("/oauth2/introspect", "multipart/form-data; boundary=x",
            Buffer.buffer("--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + access + "\r\n--x--\r\n"),
            basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("admin JSON sent as a form",
        c -> c.send("POST", "/admin/api/users", "application/x-www-form-urlencoded",
            Buffer.buffer("username=form-user&password=form-password"), admin),
        r -> problem(r, 400)));
    // ---- encoding
    for (String broken : List.of("%zz", "%", "%e2%82", "%%41", "%u0041")) {
      cases.add(hostile("malformed percent-encoding " + broken + " in a client_id",
          c -> c.postFormBody("/oauth2/token", "grant_type=password&client_id=hi-mobile" + broken
              + "&username=hi-olga&password=olga-password", null),
          r -> oauthError(r, Map.of(400, List.of("invalid_request"), 401, List.of("invalid_client"))),
          // Decoded leniently (U+FFFD) it names an unknown client: an audited failed client authentication.
          r -> r.statusCode() == 401 ? 1 : 0));
    }
    cases.add(hostile("raw non-UTF-8 bytes in a revocation form",
        c -> c.postRaw("/oauth2/revoke", "application/x-www-form-urlencoded",
            Buffer.buffer("token=").appendBytes(new byte[] {(byte) 0xc3, (byte) 0x28, (byte) 0xff}), basic("hi-gateway", gatewaySecret)),
        r -> assertThat(r.statusCode()).isIn(200, 400)));
    cases.add(hostile("non-UTF-8 bytes in admin JSON",
        c -> c.send("POST", "/admin/api/users", "application/json",
            Buffer.buffer("{\"username\":\"").appendBytes(new byte[] {(byte) 0xff, (byte) 0xfe}).appendString("\",\"password\":\"abcdefgh1\"}"),
            admin),
        r -> problem(r, 400)));
    // ---- duplicated parameters (RFC 6749 §3.2)
    cases.add(hostile("repeated grant_type",
        c -> c.postFormBody("/oauth2/token", "grant_type=password&grant_type=client_credentials&client_id=hi-mobile"
            + "&username=hi-olga&password=olga-password", null),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("repeated client_id",
        c -> c.postFormBody("/oauth2/token", "grant_type=password&client_id=hi-mobile&client_id=hi-gateway"
            + "&username=hi-olga&password=olga-password", null),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("repeated token in an introspection",
        c -> c.postFormBody("/oauth2/introspect", "token=" + access + "&token=x", basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    cases.add(hostile("repeated token in a revocation",
        c -> c.postFormBody("/oauth2/revoke", "token=" + access + "&token=" + refresh, basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    // ---- malformed Basic credentials
    for (String header : List.of("Basic", "Basic ", "Basic ====", "Basic !!!", "Basic " + b64(":no-id"),
        "Basic " + b64("hi-gateway"), "Basic " + "QUFB".repeat(1500), "Basic " + b64Bytes(new byte[] {(byte) 0xc0, ':', 'x'}),
        "Bearer " + "tsr_x", "Digest username=\"hi-gateway\"", "NTLM TlRMTVNTUAABAAAA")) {
      cases.add(hostile("malformed client authentication '" + abbreviate(header) + "'",
          c -> c.postForm("/oauth2/introspect", Map.of("token", access), header),
          r -> oauthError(r, "invalid_client", 401)));
    }
    cases.add(hostile("Basic header and client_secret together",
        c -> c.postForm("/oauth2/introspect", Map.of("token", access, "client_secret", gatewaySecret), basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_request", 400)));
    // ---- scopes
    cases.add(hostile("65 distinct requested scopes",
        c -> c.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", scopes(65, " ")),
            basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_scope", 400)));
    cases.add(hostile("scope with a control character",
        c -> c.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "re\u0001ad"),
            basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_scope", 400)));
    cases.add(hostile("scope with a double quote (not a §3.3 scope-token)",
        c -> c.postForm("/oauth2/token", Map.of("grant_type", "client_credentials", "scope", "read\""),
            basic("hi-gateway", gatewaySecret)),
        r -> oauthError(r, "invalid_scope", 400)));
    cases.add(hostile("200 required scopes at forward auth",
        c -> c.get("/auth/verify?scope=" + scopes(200, "+"), TestClient.bearer(access)),
        r -> assertThat(r.statusCode()).isIn(400, 403)));
    cases.add(hostile("admin user with 65 scopes",
        c -> c.json("POST", "/admin/api/users", new JsonObject().put("username", "many-scopes").put("password", "abcdefgh1")
            .put("scopes", new JsonArray(IntStream.range(0, 65).mapToObj(i -> "s" + i).toList())), admin),
        r -> problem(r, 400)));
    // ---- SQL metacharacters: just characters
    String sql = "x' or '1'='1'; drop table tokens; --";
    cases.add(hostile("SQL metacharacters as a client_id",
        c -> c.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", sql, "username", "hi-olga",
            "password", "olga-password")),
        r -> oauthError(r, "invalid_client", 401), r -> 1));
    cases.add(hostile("SQL metacharacters as a refresh token",
        c -> c.refresh("hi-mobile", sql),
        r -> oauthError(r, "invalid_grant", 400)));
    cases.add(hostile("SQL metacharacters as a user id",
        c -> c.json("GET", "/admin/api/users/" + urlEncode(sql), null, admin),
        r -> problem(r, 404)));
    cases.add(hostile("SQL metacharacters as a page cursor",
        c -> c.json("GET", "/admin/api/users?after=" + urlEncode(sql), null, admin),
        r -> problem(r, 400)));
    cases.add(hostile("SQL metacharacters as a page size",
        c -> c.json("GET", "/admin/api/audit?limit=" + urlEncode("1; delete from audit_events"), null, admin),
        r -> problem(r, 400)));
    // ---- tokens of every wrong shape, at every endpoint that reads one
    for (Map.Entry<String, String> bad : wrongTokens().entrySet()) {
      String label = bad.getKey();
      String token = bad.getValue();
      // RFC 6749 §3.1: an empty parameter is a missing one.
      cases.add(hostile("introspection of " + label,
          c -> c.postForm("/oauth2/introspect", Map.of("token", token), basic("hi-gateway", gatewaySecret)),
          token.isEmpty() ? r -> oauthError(r, "invalid_request", 400) : HostileInputTest::inactive));
      cases.add(hostile("refresh with " + label,
          c -> c.refresh("hi-mobile", token),
          r -> oauthError(r, Map.of(400, List.of("invalid_grant", "invalid_request")))));
      cases.add(hostile("revocation of " + label,
          c -> c.postForm("/oauth2/revoke", Map.of("token", token), basic("hi-gateway", gatewaySecret)),
          HostileInputTest::revokedOrRefused));
      if (token.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
        // Control and non-ASCII characters cannot be put in a header by the HTTP client at all.
        cases.add(hostile("forward auth with " + label,
            c -> c.get("/auth/verify", TestClient.bearer(token)),
            HostileInputTest::invalidToken));
        cases.add(hostile("admin API with " + label,
            c -> c.json("GET", "/admin/api/users", null, token),
            r -> problem(r, 401)));
      }
    }
    // ---- admin JSON of the wrong shape
    Map<String, String> wrongShapes = new java.util.LinkedHashMap<>();
    wrongShapes.put("a JSON array", "[{\"username\":\"arr\",\"password\":\"abcdefgh1\"}]");
    wrongShapes.put("a JSON string", "\"username\"");
    wrongShapes.put("JSON null", "null");
    wrongShapes.put("an empty body", "");
    wrongShapes.put("truncated JSON", "{\"username\":\"trunc\",\"password\":");
    wrongShapes.put("a nested object for a string", "{\"username\":{\"$ne\":null},\"password\":\"abcdefgh1\"}");
    wrongShapes.put("a number for a string", "{\"username\":12345,\"password\":\"abcdefgh1\"}");
    wrongShapes.put("an array for a string", "{\"username\":[\"a\"],\"password\":\"abcdefgh1\"}");
    wrongShapes.put("a string for an array", "{\"username\":\"shape\",\"password\":\"abcdefgh1\",\"scopes\":\"read\"}");
    wrongShapes.put("numbers in a string array", "{\"username\":\"shape\",\"password\":\"abcdefgh1\",\"scopes\":[1,2]}");
    wrongShapes.put("nested arrays in a string array", "{\"username\":\"shape\",\"password\":\"abcdefgh1\",\"scopes\":[[\"read\"]]}");
    wrongShapes.put("an unknown field", "{\"username\":\"shape\",\"password\":\"abcdefgh1\",\"is_admin\":true}");
    wrongShapes.put("a 10 kB username", "{\"username\":\"" + "u".repeat(10_000) + "\",\"password\":\"abcdefgh1\"}");
    wrongShapes.put("a username with control characters", "{\"username\":\"a\\u0000b\",\"password\":\"abcdefgh1\"}");
    wrongShapes.put("2000 levels of nesting", "{\"username\":" + "[".repeat(2000) + "]".repeat(2000) + "}");
    wrongShapes.put("a huge number", "{\"username\":1e999999999,\"password\":\"abcdefgh1\"}");
    for (Map.Entry<String, String> shape : wrongShapes.entrySet()) {
      cases.add(hostile("new user as " + shape.getKey(),
          c -> c.send("POST", "/admin/api/users", "application/json", Buffer.buffer(shape.getValue()), admin),
          r -> problem(r, 400)));
    }
    cases.add(hostile("new client with a string for a boolean",
        c -> c.send("POST", "/admin/api/clients", "application/json", Buffer.buffer(
            "{\"client_id\":\"shape-c\",\"confidential\":\"true\",\"grant_types\":[\"client_credentials\"]}"), admin),
        r -> problem(r, 400)));
    cases.add(hostile("new client with a string for grant_types",
        c -> c.send("POST", "/admin/api/clients", "application/json", Buffer.buffer(
            "{\"client_id\":\"shape-c\",\"confidential\":true,\"grant_types\":\"client_credentials\"}"), admin),
        r -> problem(r, 400)));
    cases.add(hostile("new client with an unknown grant type",
        c -> c.send("POST", "/admin/api/clients", "application/json", Buffer.buffer(
            "{\"client_id\":\"shape-c\",\"confidential\":true,\"grant_types\":[\"implicit\"]}"), admin),
        r -> problem(r, 400)));
    cases.add(hostile("new client whose id has SQL metacharacters",
        c -> c.send("POST", "/admin/api/clients", "application/json", Buffer.buffer(
            new JsonObject().put("client_id", sql).put("confidential", false).put("grant_types", new JsonArray().add("password"))
                .encode()), admin),
        r -> problem(r, 400)));
    cases.add(hostile("user update with a number for disabled",
        c -> c.send("PATCH", "/admin/api/users/" + userId, "application/json", Buffer.buffer("{\"disabled\":1}"), admin),
        r -> problem(r, 400)));
    cases.add(hostile("user update with an array body",
        c -> c.send("PATCH", "/admin/api/users/" + userId, "application/json", Buffer.buffer("[{\"disabled\":true}]"), admin),
        r -> problem(r, 400)));
    cases.add(hostile("user update with a too-short password",
        c -> c.send("PATCH", "/admin/api/users/" + userId, "application/json", Buffer.buffer("{\"password\":\"short\"}"), admin),
        r -> problem(r, 400)));
    return cases.stream();
  }

  /**
   * Request heads beyond the server's limits (8 KiB of headers, 4 KiB request line) are refused by the
   * HTTP server before routing. Sent over a raw socket: the server closes the connection after its
   * answer, which an HTTP client may report as a closed connection instead of the status.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("oversizedHeads")
  void oversizedRequestHeadIsRefusedWithA4xxAndWritesNothing(String name, String head, List<Integer> allowed) {
    WriteCounts before = counts();
    long started = System.nanoTime();
    int status = rawStatus(head);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
    assertThat(status).as(name).isIn(allowed);
    assertWroteNothingBut(0, before);
  }

  static Stream<Arguments> oversizedHeads() {
    String form = "grant_type=client_credentials";
    return Stream.of(
        Arguments.of("a 9 KiB header at the token endpoint", "POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\nX-Filler: " + "f".repeat(9 * 1024) + "\r\n"
            + "Content-Length: " + form.length() + "\r\n\r\n" + form, List.of(400, 431)),
        Arguments.of("a 9 KiB bearer header at forward auth", "GET /auth/verify HTTP/1.1\r\nHost: localhost\r\n"
            + "Authorization: Bearer " + "A".repeat(9 * 1024) + "\r\n\r\n", List.of(400, 431)),
        Arguments.of("ten thousand small headers", "GET /auth/verify HTTP/1.1\r\nHost: localhost\r\n"
            + "X-A: b\r\n".repeat(10_000) + "\r\n", List.of(400, 431)),
        Arguments.of("a 5 KiB request line", "GET /auth/verify?scope=" + "s".repeat(5 * 1024) + " HTTP/1.1\r\n"
            + "Host: localhost\r\n\r\n", List.of(400, 414)),
        Arguments.of("a header without a colon", "GET /auth/verify HTTP/1.1\r\nHost: localhost\r\nnot a header\r\n\r\n",
            List.of(400)),
        Arguments.of("an HTTP/0.9-style request line", "GET /auth/verify\r\n\r\n", List.of(400, 505)));
  }

  /** Sends {@code head} over a fresh connection and returns the status of the answer (-1: closed without one). */
  private static int rawStatus(String head) {
    NetClient raw = vertx.createNetClient();
    try {
      NetSocket socket = raw.connect(node.port(), "127.0.0.1").await();
      io.vertx.core.Promise<Integer> status = io.vertx.core.Promise.promise();
      Buffer received = Buffer.buffer();
      socket.handler(chunk -> {
        received.appendBuffer(chunk);
        String text = received.toString(StandardCharsets.ISO_8859_1);
        int eol = text.indexOf("\r\n");
        if (eol > 0) {
          String[] line = text.substring(0, eol).split(" ");
          status.tryComplete(line.length > 1 ? Integer.parseInt(line[1]) : -1);
        }
      });
      socket.closeHandler(v -> status.tryComplete(-1));
      socket.write(Buffer.buffer(head.getBytes(StandardCharsets.ISO_8859_1)));
      return status.future().timeout(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS).await();
    } finally {
      raw.close();
    }
  }

  /**
   * Scope sets read from the database are interned in a process-wide map that is never emptied. Forward
   * auth parses the {@code scope} query before it looks at the caller, so if request input reached that
   * map anyone could grow the heap without bound with made-up scope strings. Read through reflection:
   * nothing on the wire shows it until the node runs out of memory.
   */
  @Test
  void unauthenticatedScopeQueriesDoNotGrowTheInternedScopeSets() throws ReflectiveOperationException {
    java.lang.reflect.Field field = dev.tessera.domain.Scopes.class.getDeclaredField("INTERNED");
    field.setAccessible(true);
    Map<?, ?> interned = (Map<?, ?>) field.get(null);
    int before = interned.size();
    int requests = 200;
    for (int i = 0; i < requests; i++) {
      assertThat(http.get("/auth/verify?scope=probe-" + java.util.UUID.randomUUID(), null).statusCode()).isEqualTo(401);
    }
    assertThat(interned.size() - before).as("scope sets retained after %d anonymous requests", requests)
        .isLessThan(requests / 2);
  }

  /**
   * A slow client (slowloris) holds connections open by sending half a request. Vert.x only closes them
   * after the 30 s idle timeout, which this test does not wait for; what is bounded and checked here is
   * that many such connections do not delay anyone else.
   */
  @Test
  void halfSentRequestsDoNotDelayOtherClients() {
    NetClient raw = vertx.createNetClient();
    List<NetSocket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 50; i++) {
        NetSocket socket = raw.connect(node.port(), "127.0.0.1").await();
        socket.write("POST /oauth2/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Content-Length: 1000\r\n\r\ngrant_type=pass").await();
        slow.add(socket);
      }
      long started = System.nanoTime();
      assertThat(http.introspect("hi-gateway", gatewaySecret, access).getBoolean("active")).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(BOUND);
    } finally {
      slow.forEach(NetSocket::close);
      raw.close();
    }
  }

  // ---- the standard refusals

  private static void oauthError(HttpResponse<Buffer> r, String error, Integer... statuses) {
    Map<Integer, List<String>> allowed = new java.util.HashMap<>();
    for (int s : statuses) {
      allowed.put(s, List.of(error));
    }
    oauthError(r, allowed);
  }

  /** RFC 6749 §5.2: JSON with error and error_description, never cached; 401 carries a Basic challenge. */
  private static void oauthError(HttpResponse<Buffer> r, Map<Integer, List<String>> allowed) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn(allowed.keySet());
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.bodyAsJsonObject();
    assertThat(body.getString("error")).isIn(allowed.get(r.statusCode()));
    assertThat(body.getString("error_description")).isNotBlank();
    if (r.statusCode() == 401) {
      assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Basic realm=\"tessera\"");
    }
  }

  /** RFC 7662 §2.2: anything not active is exactly {"active":false}. */
  private static void inactive(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject()).isEqualTo(new JsonObject().put("active", false));
  }

  /** RFC 6750 §3: 401 with an invalid_token challenge. */
  private static void invalidToken(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.getHeader("WWW-Authenticate")).startsWith("Bearer ").contains("error=\"invalid_token\"");
  }

  /** RFC 7009 §2.2: an unknown token is "revoked" with 200; a form the server cannot read is a 400. */
  private static void revokedOrRefused(HttpResponse<Buffer> r) {
    if (r.statusCode() == 200) {
      assertThat(r.body() == null ? 0 : r.body().length()).isZero();
    } else {
      oauthError(r, "invalid_request", 400);
    }
  }

  /** RFC 9457 problem JSON with the response's own status. */
  private static void problem(HttpResponse<Buffer> r, Integer... statuses) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isIn((Object[]) statuses);
    assertThat(r.getHeader("Content-Type")).startsWith("application/problem+json");
    assertThat(r.bodyAsJsonObject().getInteger("status")).isEqualTo(r.statusCode());
    assertThat(r.bodyAsJsonObject().getString("detail")).isNotBlank();
  }

  // ---- writes nothing

  private static final java.util.concurrent.atomic.AtomicInteger BARRIERS = new java.util.concurrent.atomic.AtomicInteger();

  private static WriteCounts counts() {
    return WriteCounts.of(node.config().dbUrl().orElseThrow());
  }

  /**
   * Audit rows are written after the response, so a failed client authentication (which audits exactly
   * one row) is sent after the hostile request and waited for: by then an audit row of the hostile
   * request would have landed too. From a fresh address and for a new unknown client id, so neither an
   * address's back-off nor its cap on failure audit rows can keep the barrier from writing its row.
   */
  private static void assertWroteNothingBut(int audits, WriteCounts before) {
    HttpResponse<Buffer> barrier = http.forwardedFor(TestClient.freshAddress()).postForm("/oauth2/introspect",
        Map.of("token", "x"), basic("hi-barrier-" + BARRIERS.incrementAndGet(), "not-the-secret"));
    assertThat(barrier.statusCode()).isEqualTo(401);
    WriteCounts expected = before.plusAudit(audits + 1L);
    WriteCounts after = Eventually.await("the barrier's audit row", Duration.ofSeconds(10), HostileInputTest::counts,
        c -> c.auditEvents() >= expected.auditEvents());
    assertThat(after).isEqualTo(expected);
  }

  // ---- inputs

  private static Arguments hostile(String name, Function<TestClient, HttpResponse<Buffer>> send,
      Consumer<HttpResponse<Buffer>> expect) {
    return hostile(name, send, expect, r -> 0);
  }

  private static Arguments hostile(String name, Function<TestClient, HttpResponse<Buffer>> send,
      Consumer<HttpResponse<Buffer>> expect, ToIntFunction<HttpResponse<Buffer>> audits) {
    return Arguments.of(name, new Hostile(send, expect, audits));
  }

  /** Every way a presented token can be wrong; the valid ones are made with another key or edited. */
  private static Map<String, String> wrongTokens() {
    String valid = access;
    byte[] random = new byte[32];
    new java.security.SecureRandom().nextBytes(random);
    String otherKey = new TokenCodec("not-this-node's-key-0123456789ab".getBytes(StandardCharsets.US_ASCII)).encode(random);
    Map<String, String> tokens = new java.util.LinkedHashMap<>();
    tokens.put("an empty token", "");
    tokens.put("the bare prefix", TokenCodec.PREFIX);
    tokens.put("a token one character short", valid.substring(0, valid.length() - 1));
    tokens.put("a token one character long", valid + "A");
    tokens.put("a doubled token", valid + valid);
    tokens.put("a token in upper case prefix", "TSR_" + valid.substring(4));
    tokens.put("a token without the prefix", valid.substring(4) + "AAAA");
    tokens.put("a token in standard base64", valid.replace('-', '+').replace('_', '/').substring(0, valid.length() - 1) + "=");
    tokens.put("a token with a space inside", valid.substring(0, 20) + " " + valid.substring(21));
    tokens.put("a token with non-ASCII letters", valid.substring(0, 20) + "é" + valid.substring(21));
    tokens.put("a token with a NUL", valid.substring(0, 20) + "\u0000" + valid.substring(21));
    tokens.put("a valid token with one flipped character in the random part", flip(valid, 10));
    tokens.put("a valid token with its last random character changed", flip(valid, TokenCodec.PREFIX.length() + 42));
    tokens.put("a valid token with one flipped character in the tag", flip(valid, valid.length() - 1));
    tokens.put("a well-formed token tagged with another key", otherKey);
    tokens.put("a JWT", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.");
    tokens.put("SQL metacharacters", "tsr_' or '1'='1");
    tokens.put("3 kB of base64url", TokenCodec.PREFIX + "A".repeat(3000));
    return tokens;
  }

  private static String flip(String token, int at) {
    char c = token.charAt(at);
    char other = c == 'A' ? 'B' : 'A';
    return token.substring(0, at) + other + token.substring(at + 1);
  }

  private static String scopes(int n, String separator) {
    return IntStream.range(0, n).mapToObj(i -> "s" + i).collect(Collectors.joining(separator));
  }

  private static String b64(String s) {
    return b64Bytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String b64Bytes(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String urlEncode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
