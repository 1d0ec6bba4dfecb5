package dev.tessera.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Real HTTP calls against a node, written the way an outside client would make them. Calls block the
 * JUnit thread (never an event loop) so tests read top to bottom.
 */
public final class TestClient implements AutoCloseable {
  /** Documentation prefix (RFC 3849): a header value only, no traffic ever goes there. */
  private static final String DOCUMENTATION_PREFIX = "2001:db8::";
  private static final java.util.concurrent.atomic.AtomicInteger ADDRESSES = new java.util.concurrent.atomic.AtomicInteger();
  /**
   * No call waits for ever: a connection the server never answers on, or a request the client's pool never
   * hands a connection (a node that went away mid-test), fails the call instead of hanging the test run.
   * Both are far above anything a local node takes to answer.
   */
  private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
  private static final long IDLE_TIMEOUT_MILLIS = 30_000;

  private final WebClient web;
  private final int port;
  /** The client address a trusted proxy names on every request of this client, or null: the peer's own. */
  private final String forwardedFor;
  /** Only the client that created the connections closes them; views made by {@link #forwardedFor} share them. */
  private final boolean ownsConnections;

  public TestClient(Vertx vertx, int port) {
    // A pool wide enough that a burst of concurrent requests really reaches the server concurrently.
    this(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setFollowRedirects(false), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(32)), port, null, true);
  }

  private TestClient(WebClient web, int port, String forwardedFor, boolean ownsConnections) {
    this.web = web;
    this.port = port;
    this.forwardedFor = forwardedFor;
    this.ownsConnections = ownsConnections;
  }

  public int port() {
    return port;
  }

  /**
   * This client's calls as a trusted proxy would forward them for a client at {@code address}: the same
   * connections, with {@code X-Forwarded-For} on every request (the node must trust 127.0.0.1). Per-address
   * back-offs, rate limits and audit caps then count each such view apart; headers a call passes itself win.
   */
  public TestClient forwardedFor(String address) {
    return new TestClient(web, port, address, false);
  }

  /** An address no other call of this JVM has named: each request from one starts with clean per-address limits. */
  public static String freshAddress() {
    int n = ADDRESSES.incrementAndGet();
    return DOCUMENTATION_PREFIX + Integer.toHexString(n >>> 16) + ":" + Integer.toHexString(n & 0xffff);
  }

  /** Every request starts here, so a {@link #forwardedFor} view forwards all of them. */
  private HttpRequest<Buffer> newRequest(HttpMethod method, String path) {
    HttpRequest<Buffer> request = web.request(method, path)
        .connectTimeout(CONNECT_TIMEOUT_MILLIS)
        .idleTimeout(IDLE_TIMEOUT_MILLIS);
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return request;
  }

  /** A form POST; {@code form} keys and values are sent form-urlencoded. */
  public HttpResponse<Buffer> postForm(String path, Map<String, String> form) {
    return postForm(path, form, (String) null);
  }

  public HttpResponse<Buffer> postForm(String path, Map<String, String> form, String authorization) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    HttpRequest<Buffer> request = newRequest(HttpMethod.POST, path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendForm(body).await();
  }

  /** The same form POST without waiting, for bursts of concurrent requests. */
  public io.vertx.core.Future<HttpResponse<Buffer>> postFormAsync(String path, Map<String, String> form) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    return newRequest(HttpMethod.POST, path).sendForm(body);
  }

  /** The same form POST with extra request headers, without waiting. */
  public io.vertx.core.Future<HttpResponse<Buffer>> postFormAsync(String path, Map<String, String> form,
                                                                  Map<String, String> headers) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    HttpRequest<Buffer> request = newRequest(HttpMethod.POST, path);
    headers.forEach(request::putHeader);
    return request.sendForm(body);
  }

  /**
   * {@code count} concurrent password grants by {@code clientId} for made-up usernames (no back-off applies
   * to them yet), not waited for: a burst at the password-hashing pool.
   */
  public java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> madeUpSignIns(String clientId, int count) {
    java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> burst = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      burst.add(postFormAsync("/oauth2/token", Map.of("grant_type", "password", "client_id", clientId,
          "username", "made-up-" + i, "password", "guess")));
    }
    return burst;
  }

  /** Waits until one request of {@code burst} has been refused for capacity (429 or 503). */
  public static void awaitRefusal(java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> burst) {
    Eventually.await("a refusal in the burst", java.time.Duration.ofSeconds(30),
        () -> burst.stream().filter(f -> f.isComplete() && f.succeeded()
            && (f.result().statusCode() == 429 || f.result().statusCode() == 503)).count(),
        refusals -> refusals > 0);
  }

  /** Headers a trusted proxy adds for a client at {@code address} (the node must trust 127.0.0.1). */
  public static Map<String, String> from(String address) {
    return Map.of("X-Forwarded-For", address);
  }

  /** {@link #from} plus an Authorization header. */
  public static Map<String, String> from(String address, String authorization) {
    return Map.of("X-Forwarded-For", address, "Authorization", authorization);
  }

  /** A form POST with extra request headers (User-Agent, Authorization, ...). */
  public HttpResponse<Buffer> postForm(String path, Map<String, String> form, Map<String, String> headers) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap();
    form.forEach(body::add);
    HttpRequest<Buffer> request = newRequest(HttpMethod.POST, path);
    headers.forEach(request::putHeader);
    return request.sendForm(body).await();
  }

  /** A POST of an already encoded form body, e.g. with a repeated or malformed parameter. */
  public HttpResponse<Buffer> postFormBody(String path, String encodedBody, String authorization) {
    return postRaw(path, "application/x-www-form-urlencoded", Buffer.buffer(encodedBody), authorization);
  }

  /** A POST with a raw body and content type, for malformed-input tests. */
  public HttpResponse<Buffer> postRaw(String path, String contentType, Buffer body, String authorization) {
    HttpRequest<Buffer> request = newRequest(HttpMethod.POST, path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.sendBuffer(body).await();
  }

  public HttpResponse<Buffer> get(String path, String authorization) {
    HttpRequest<Buffer> request = newRequest(HttpMethod.GET, path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return request.send().await();
  }

  /** Any method, no body, the given headers: what a gateway sends to a forward-auth door. */
  public HttpResponse<Buffer> request(String method, String path, Map<String, String> headers) {
    HttpRequest<Buffer> request = newRequest(HttpMethod.valueOf(method), path);
    headers.forEach((name, value) -> {
      if (name.equalsIgnoreCase("Host")) {
        request.virtualHost(value);
      } else {
        request.putHeader(name, value);
      }
    });
    return request.send().await();
  }

  public HttpResponse<Buffer> json(String method, String path, JsonObject body, String bearer) {
    HttpRequest<Buffer> request = newRequest(HttpMethod.valueOf(method), path);
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    return body == null ? request.send().await() : request.sendJsonObject(body).await();
  }

  /** Any method with a raw body and content type, for admin API malformed-input tests. */
  public HttpResponse<Buffer> send(String method, String path, String contentType, Buffer body, String bearer) {
    HttpRequest<Buffer> request = newRequest(HttpMethod.valueOf(method), path);
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    return body == null ? request.send().await() : request.sendBuffer(body).await();
  }

  /** RFC 6749 §2.3.1: form-encode id and secret, then Basic-encode. */
  public static String basic(String clientId, String secret) {
    String pair = java.net.URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
        + java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8);
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** The raw, un-encoded Basic form some clients send instead of §2.3.1's. */
  public static String basicRaw(String clientId, String secret) {
    String pair = clientId + ":" + secret;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  // ---- common flows

  /** Signs the bootstrap admin in through the scripts' public client (tessera-cli); returns the access token. */
  public String adminToken() {
    HttpResponse<Buffer> r = postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "tessera-cli",
        "username", TestNode.ADMIN_USERNAME, "password", TestNode.ADMIN_PASSWORD, "scope", "admin"));
    if (r.statusCode() != 200) {
      throw new AssertionError("admin sign-in failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject().getString("access_token");
  }

  public JsonObject createUser(String admin, String username, String password, String... scopes) {
    return created(json("POST", "/admin/api/users", new JsonObject().put("username", username).put("password", password)
        .put("scopes", new io.vertx.core.json.JsonArray(java.util.List.of(scopes))), admin));
  }

  /** A public client allowed password + refresh_token. */
  public JsonObject createPublicClient(String admin, String clientId, String... scopes) {
    return created(json("POST", "/admin/api/clients", new JsonObject().put("client_id", clientId).put("name", clientId)
        .put("confidential", false).put("grant_types", new io.vertx.core.json.JsonArray().add("password").add("refresh_token"))
        .put("scopes", new io.vertx.core.json.JsonArray(java.util.List.of(scopes))), admin));
  }

  /** A confidential resource server allowed client_credentials and introspection; the result holds client_secret. */
  public JsonObject createResourceServer(String admin, String clientId, String... scopes) {
    return created(json("POST", "/admin/api/clients", new JsonObject().put("client_id", clientId).put("name", clientId)
        .put("confidential", true).put("grant_types", new io.vertx.core.json.JsonArray().add("client_credentials"))
        .put("introspect", true).put("scopes", new io.vertx.core.json.JsonArray(java.util.List.of(scopes))), admin));
  }

  /** Password grant for a public client; returns the token response. */
  public JsonObject login(String clientId, String username, String password, String device) {
    HttpResponse<Buffer> r = postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", clientId,
        "username", username, "password", password, "device_name", device));
    if (r.statusCode() != 200) {
      throw new AssertionError("login failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  public JsonObject introspect(String clientId, String secret, String token) {
    HttpResponse<Buffer> r = postForm("/oauth2/introspect", Map.of("token", token), basic(clientId, secret));
    if (r.statusCode() != 200) {
      throw new AssertionError("introspection failed: " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  /** A confidential client allowed password + refresh_token, with the given secret. */
  public JsonObject createConfidentialClient(String admin, String clientId, String secret, String... scopes) {
    return created(json("POST", "/admin/api/clients", new JsonObject().put("client_id", clientId).put("name", clientId)
        .put("confidential", true).put("client_secret", secret)
        .put("grant_types", new io.vertx.core.json.JsonArray().add("password").add("refresh_token"))
        .put("scopes", new io.vertx.core.json.JsonArray(java.util.List.of(scopes))), admin));
  }

  /** Password grant for a public client with a requested scope; the raw response, success or not. */
  public HttpResponse<Buffer> passwordGrant(String clientId, String username, String password, String scope) {
    MultiMap body = MultiMap.caseInsensitiveMultiMap().add("grant_type", "password").add("client_id", clientId)
        .add("username", username).add("password", password);
    if (scope != null) {
      body.add("scope", scope);
    }
    return newRequest(HttpMethod.POST, "/oauth2/token").sendForm(body).await();
  }

  /** Refresh grant for a public client; the raw response, success or not. */
  public HttpResponse<Buffer> refresh(String clientId, String refreshToken) {
    return postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", clientId,
        "refresh_token", refreshToken));
  }

  /** The sum of a Prometheus metric's samples (all label sets) on this node's /metrics; 0 when absent. */
  public double metric(String name) {
    return get("/metrics", null).bodyAsString().lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** Whether a resource server currently sees the token as active. */
  public boolean isActive(String clientId, String secret, String token) {
    return introspect(clientId, secret, token).getBoolean("active");
  }

  private static JsonObject created(HttpResponse<Buffer> r) {
    if (r.statusCode() != 201) {
      throw new AssertionError("expected 201, got " + r.statusCode() + " " + r.bodyAsString());
    }
    return r.bodyAsJsonObject();
  }

  @Override
  public void close() {
    if (ownsConnections) {
      web.close();
    }
  }
}
