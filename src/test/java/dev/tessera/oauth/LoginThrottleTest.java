package dev.tessera.oauth;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-account back-off after failed sign-ins. The wait doubles with each failure past the free ones and
 * is bounded by LoginThrottle.MAX_WAIT (5 minutes), so a real user is never locked out for longer.
 *
 * <p>The tests never wait for a back-off to end: the account is driven deep enough into back-off (a
 * burst of concurrent failures all pass the throttle check before any is counted) that its wait lasts
 * many seconds, far longer than the class runs. The node is this class's own: failures also count
 * against the client address, which every test shares.
 *
 * <p>The account's back-off holds back only addresses that have themselves failed on it: the burst comes
 * from 127.0.0.1, which the node trusts as a proxy, so other addresses are named in X-Forwarded-For.
 */
@ExtendWith(VertxExtension.class)
class LoginThrottleTest {
  private static final String PASSWORD = "erin-password";
  private static final int BURST = 10;
  private static final int FURTHER_ATTEMPTS = 8;
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"));
  private static TestClient http;
  private static HttpResponse<Buffer> firstRefusal;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "lt-mobile", "read");
    http.createUser(admin, "Erin@Example.com", PASSWORD, "read");
    http.createUser(admin, "frank", "frank-password", "read");

    List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      burst.add(http.postFormAsync("/oauth2/token", wrongPassword("erin@example.com")));
    }
    Future.all(burst).await();
    // Failures count against the shared client address too (20 free): stay below that, so other
    // accounts signing in from the same address are unaffected.
    for (int attempt = 0; attempt < FURTHER_ATTEMPTS && firstRefusal == null; attempt++) {
      HttpResponse<Buffer> r = http.postForm("/oauth2/token", wrongPassword("erin@example.com"));
      if (r.statusCode() == 429) {
        firstRefusal = r;
      }
    }
    assertThat(firstRefusal).as("a throttled answer within %d further failures", FURTHER_ATTEMPTS).isNotNull();
  }

  private static Map<String, String> wrongPassword(String username) {
    return Map.of("grant_type", "password", "client_id", "lt-mobile", "username", username, "password", "not-it-at-all");
  }

  @Test
  void repeatedFailuresAreAnsweredWith429AndRetryAfter() {
    assertThat(firstRefusal.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(firstRefusal.getHeader("Retry-After"))).isBetween(1L, 300L);
    assertThat(firstRefusal.getHeader("Content-Type")).startsWith("application/json");
    assertThat(firstRefusal.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(firstRefusal.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
    assertThat(firstRefusal.bodyAsJsonObject().getString("error_description")).contains("retry after");
  }

  @Test
  void rightPasswordFromAnAddressThatFailedIsAlsoRefusedWhileThrottled() {
    HttpResponse<Buffer> r = http.passwordGrant("lt-mobile", "erin@example.com", PASSWORD, null);
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.getHeader("Retry-After")).isNotNull();
  }

  @Test
  void rightPasswordFromAnAddressThatNeverFailedSignsIn() {
    HttpResponse<Buffer> r = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "lt-mobile",
        "username", "erin@example.com", "password", PASSWORD), TestClient.from("198.51.100.20"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void aGuessFromANewAddressIsCheckedOnceThenWaitsLikeTheOthers() {
    Map<String, String> from = TestClient.from("198.51.100.30");
    HttpResponse<Buffer> first = http.postForm("/oauth2/token", wrongPassword("erin@example.com"), from);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(400);
    HttpResponse<Buffer> second = http.postForm("/oauth2/token", wrongPassword("erin@example.com"), from);
    assertThat(second.statusCode()).isEqualTo(429);
    assertThat(second.getHeader("Retry-After")).isNotNull();
  }

  @Test
  void throttleAppliesToEverySpellingOfTheUsername() {
    HttpResponse<Buffer> r = http.passwordGrant("lt-mobile", "ERIN@example.COM", PASSWORD, null);
    assertThat(r.statusCode()).isEqualTo(429);
  }

  @Test
  void otherAccountsCanStillSignIn() {
    HttpResponse<Buffer> r = http.passwordGrant("lt-mobile", "frank", "frank-password", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
  }

  @Test
  void throttledRefusalsAreAuditedAndCounted() {
    String admin = node.adminToken();
    dev.tessera.testing.Eventually.within(java.time.Duration.ofSeconds(5), () -> http
            .json("GET", "/admin/api/audit?username=erin@example.com", null, admin).bodyAsJsonObject()
            .getJsonArray("items").stream().map(io.vertx.core.json.JsonObject.class::cast)
            .anyMatch(e -> e.getString("event").equals("login_throttled")),
        "a login_throttled audit event");
    String metrics = http.get("/metrics", null).bodyAsString();
    double failures = metrics.lines().filter(l -> l.startsWith("tessera_login_failures_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    assertThat(failures).isGreaterThan(BURST);
  }
}
