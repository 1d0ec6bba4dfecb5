package dev.tessera.security;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password guessing against the token endpoint. Each test has its own node: failures also count against
 * the client address (LoginThrottle: 20 free per address), which every request from this JVM shares.
 */
@ExtendWith(VertxExtension.class)
class CredentialAttackTest {
  private static final String PASSWORD = "the-real-password";
  /** LoginThrottle.MAX_WAIT: the longest a failed sign-in can make anyone wait. */
  private static final long MAX_WAIT_SECONDS = 300;

  private TestNode node;
  private TestClient http;
  private String admin;

  private void start(Vertx vertx, Map<String, Object> overrides) {
    node = TestNode.start(overrides);
    http = new TestClient(vertx, node.port());
    admin = http.adminToken();
    http.createPublicClient(admin, "ca-mobile", "read");
  }

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private HttpResponse<Buffer> signIn(String username, String password) {
    return http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "ca-mobile",
        "username", username, "password", password));
  }

  @Test
  void unknownUserAndWrongPasswordGetTheSameAnswer(Vertx vertx) {
    start(vertx, Map.of());
    http.createUser(admin, "ca-known", PASSWORD, "read");

    HttpResponse<Buffer> unknown = signIn("ca-nobody-" + UUID.randomUUID(), PASSWORD);
    HttpResponse<Buffer> wrong = signIn("ca-known", "not-the-password");

    assertThat(unknown.statusCode()).isEqualTo(400).isEqualTo(wrong.statusCode());
    assertThat(unknown.bodyAsString()).isEqualTo(wrong.bodyAsString());
    assertThat(unknown.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    for (String header : List.of("Content-Type", "Cache-Control", "WWW-Authenticate", "Retry-After")) {
      assertThat(unknown.getHeader(header)).as(header).isEqualTo(wrong.getHeader(header));
    }
  }

  /**
   * With production-strength Argon2 (the shipped defaults) a refusal that skipped the hash for unknown
   * users would answer several times faster. Attempts alternate between the two kinds so load on a busy
   * machine hits both alike, and each uses a fresh account, so no back-off is involved: 2 x 9 failures
   * stay under the 20 an address gets for free.
   */
  @Test
  void unknownUserAndWrongPasswordTakeSimilarTime(Vertx vertx) {
    start(vertx, Map.of("TESSERA_ARGON2_MEMORY_KIB", 19456, "TESSERA_ARGON2_ITERATIONS", 2));
    int attempts = 9;
    for (int i = 0; i < attempts; i++) {
      http.createUser(admin, "ca-timing-" + i, PASSWORD, "read");
    }
    long[] unknown = new long[attempts];
    long[] wrong = new long[attempts];
    for (int i = 0; i < attempts; i++) {
      String known = "ca-timing-" + (attempts - 1 - i);
      unknown[i] = timed(() -> signIn("ca-ghost-" + UUID.randomUUID(), PASSWORD));
      wrong[i] = timed(() -> signIn(known, "not-the-password"));
    }
    // The fastest of several attempts is the intrinsic cost: load on a shared machine (JIT warm-up,
    // other processes) only ever adds time, and it would swamp a median of nine.
    double ratio = (double) Arrays.stream(unknown).min().orElseThrow() / Arrays.stream(wrong).min().orElseThrow();
    assertThat(ratio).as("fastest unknown-user / fastest wrong-password time; unknown %s ns, wrong %s ns",
        Arrays.toString(unknown), Arrays.toString(wrong)).isBetween(0.5, 2.0);
  }

  @Test
  void everyFailedSignInIsCountedAndAudited(Vertx vertx) {
    start(vertx, Map.of());
    http.createUser(admin, "ca-audited", PASSWORD, "read");
    String ghost = "ca-ghost-" + UUID.randomUUID();
    double before = loginFailures();

    assertThat(signIn("ca-audited", "not-the-password").statusCode()).isEqualTo(400);
    assertThat(signIn(ghost, PASSWORD).statusCode()).isEqualTo(400);

    assertThat(loginFailures()).isEqualTo(before + 2);
    for (String username : List.of("ca-audited", ghost)) {
      JsonArray events = Eventually.await("a login_failed audit event for " + username, Duration.ofSeconds(10),
          () -> http.json("GET", "/admin/api/audit?username=" + username, null, admin).bodyAsJsonObject().getJsonArray("items"),
          items -> items.stream().anyMatch(e -> "login_failed".equals(((io.vertx.core.json.JsonObject) e).getString("event"))));
      io.vertx.core.json.JsonObject event = events.getJsonObject(0);
      assertThat(event.getString("username")).isEqualTo(username);
      assertThat(event.getString("client_id")).isEqualTo("ca-mobile");
      assertThat(event.getString("ip")).isEqualTo("127.0.0.1");
      assertThat(event.encode()).doesNotContain(PASSWORD).doesNotContain("not-the-password");
    }
  }

  /**
   * The attacker's best move is many guesses at once: they all pass the throttle check before any
   * failure is counted, driving the back-off as deep as it goes. Slow hashing (shipped Argon2 defaults)
   * keeps that window open. However deep, the wait told to anyone, the real user included, stays within
   * the 5-minute cap; and once throttled, further guesses are refused without a hash and do not deepen it.
   */
  @Test
  void throttledAttackerCannotLockTheRealUserOutForLongerThanTheCap(Vertx vertx) {
    start(vertx, Map.of("TESSERA_ARGON2_MEMORY_KIB", 19456, "TESSERA_ARGON2_ITERATIONS", 2));
    http.createUser(admin, "ca-victim", PASSWORD, "read");
    int burst = 40;
    WebClient attacker = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(node.port()), new PoolOptions().setHttp1MaxSize(burst));
    try {
      List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        guesses.add(attacker.post("/oauth2/token").sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "password").add("client_id", "ca-mobile").add("username", "ca-victim")
            .add("password", "guess-" + i)));
      }
      Future.join(guesses).await();
      long counted = guesses.stream().filter(g -> g.result().statusCode() == 400).count();
      // 5 free failures, then the wait doubles from 1 s: the 15th counted failure would ask for 512 s uncapped.
      assertThat(counted).as("failures counted before the throttle closed").isGreaterThanOrEqualTo(15);

      List<Long> waits = new ArrayList<>();
      guesses.stream().map(Future::result).filter(r -> r.statusCode() == 429).forEach(r -> waits.add(retryAfter(r)));
      for (int i = 0; i < 30; i++) {
        HttpResponse<Buffer> r = signIn("ca-victim", "guess-again-" + i);
        assertThat(r.statusCode()).isEqualTo(429);
        waits.add(retryAfter(r));
      }
      HttpResponse<Buffer> realUser = signIn("ca-victim", PASSWORD);
      assertThat(realUser.statusCode()).isEqualTo(429);
      waits.add(retryAfter(realUser));

      assertThat(waits).allSatisfy(w -> assertThat(w).isBetween(1L, MAX_WAIT_SECONDS));
      assertThat(retryAfter(realUser)).as("the cap is reached, not merely approached").isGreaterThan(MAX_WAIT_SECONDS / 2);
    } finally {
      attacker.close();
    }
  }

  private static long retryAfter(HttpResponse<Buffer> r) {
    assertThat(r.getHeader("Retry-After")).as("Retry-After on %s", r.bodyAsString()).isNotNull();
    return Long.parseLong(r.getHeader("Retry-After"));
  }

  private double loginFailures() {
    String text = http.get("/metrics", null).bodyAsString();
    Matcher m = Pattern.compile("(?m)^tessera_login_failures_total(?:\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
    assertThat(m.find()).as("tessera_login_failures_total in /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }

  private static long timed(Runnable call) {
    long started = System.nanoTime();
    call.run();
    return System.nanoTime() - started;
  }

}
