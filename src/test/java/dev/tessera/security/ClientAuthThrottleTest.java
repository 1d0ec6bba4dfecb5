package dev.tessera.security;

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
 * Guessing a client secret is slowed per (source address, client id); the right secret is never refused
 * because of someone else's guesses. The node trusts 127.0.0.1 as a proxy, so each request names the
 * address it stands for in X-Forwarded-For. The node is shared; each test guesses from its own address
 * at its own client, so no test's back-off carries into another.
 */
@ExtendWith(VertxExtension.class)
class ClientAuthThrottleTest {
  private static final String GATEWAY = "198.51.100.10";
  private static final int GUESSES = 30;

  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"));
  private static TestClient http;
  private static String admin;

  @BeforeAll
  static void start() {
    http = node.http();
    admin = node.adminToken();
  }

  /** The reproduction of the review: 30 concurrent wrong guesses, then the real gateway introspects. */
  private static void guessFrom(String address, String clientId) {
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < GUESSES; i++) {
      guesses.add(http.postFormAsync("/oauth2/introspect",
          Map.of("token", "x", "client_id", clientId, "client_secret", "guess-" + i), TestClient.from(address)));
    }
    Future.all(guesses).await();
    // 429: the address already had its share of the hashing pool in use (more so on a busy machine).
    assertThat(guesses).allSatisfy(g -> assertThat(g.result().statusCode()).isIn(401, 429));
    assertThat(guesses).filteredOn(g -> g.result().statusCode() == 401).isNotEmpty();
  }

  private static HttpResponse<Buffer> introspectFrom(String address, String clientId, String secret) {
    return http.postForm("/oauth2/introspect", Map.of("token", "x"),
        TestClient.from(address, TestClient.basic(clientId, secret)));
  }

  @Test
  void theRightSecretIsNeverRefusedAfterSomeoneElsesGuesses() {
    String attacker = "203.0.113.1";
    String secret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    assertThat(introspectFrom(GATEWAY, "gateway", secret).statusCode()).as("precondition: the secret works").isEqualTo(200);

    guessFrom(attacker, "gateway");
    HttpResponse<Buffer> guess = introspectFrom(attacker, "gateway", "one-more-guess");
    assertThat(guess.statusCode()).as("precondition: the guesser is backing off").isEqualTo(401);
    assertThat(guess.getHeader("Retry-After")).as("precondition: the guesser is backing off").isNotNull();

    assertThat(introspectFrom(GATEWAY, "gateway", secret).statusCode()).isEqualTo(200);
    // The known-good secret is checked before any back-off, so even the guesser's own address gets through with it.
    assertThat(introspectFrom(attacker, "gateway", secret).statusCode()).isEqualTo(200);
  }

  @Test
  void theRightSecretNotYetVerifiedOnThisNodeIsCheckedFromAnAddressThatNeverFailed() {
    String attacker = "203.0.113.2";
    String secret = http.createResourceServer(admin, "cold-rs", "read").getString("client_secret");

    guessFrom(attacker, "cold-rs");
    assertThat(introspectFrom(attacker, "cold-rs", "one-more-guess").getHeader("Retry-After"))
        .as("precondition: the guesser is backing off").isNotNull();

    assertThat(introspectFrom(GATEWAY, "cold-rs", secret).statusCode()).isEqualTo(200);
  }

  @Test
  void aThrottledClientAuthenticationIsInvalidClientWithRetryAfter() {
    String attacker = "203.0.113.3";
    http.createResourceServer(admin, "guessed-rs", "read");
    String other = http.createResourceServer(admin, "other-rs", "read").getString("client_secret");

    guessFrom(attacker, "guessed-rs");
    HttpResponse<Buffer> throttled = introspectFrom(attacker, "guessed-rs", "one-more-guess");

    assertThat(throttled.statusCode()).isEqualTo(401);
    assertThat(throttled.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    assertThat(throttled.getHeader("WWW-Authenticate")).startsWith("Basic");
    assertThat(Long.parseLong(throttled.getHeader("Retry-After"))).isBetween(1L, 300L);
    assertThat(introspectFrom(GATEWAY, "other-rs", other).statusCode()).isEqualTo(200);
  }
}
