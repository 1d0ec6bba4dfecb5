package dev.tessera.security;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guessing a client secret is slowed per (source address, client id); the right secret is never refused
 * because of someone else's guesses. The node trusts 127.0.0.1 as a proxy, so each request names the
 * address it stands for in X-Forwarded-For.
 */
@ExtendWith(VertxExtension.class)
class ClientAuthThrottleTest {
  private static final String ATTACKER = "203.0.113.66";
  private static final String GATEWAY = "198.51.100.10";
  private static final int GUESSES = 30;

  private TestNode node;
  private TestClient http;
  private String admin;

  private void start(Vertx vertx) {
    node = TestNode.start(Map.of("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"));
    http = new TestClient(vertx, node.port());
    admin = http.adminToken();
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

  /** The reproduction of the review: 30 concurrent wrong guesses, then the real gateway introspects. */
  private void guessFrom(String address, String clientId) {
    List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
    for (int i = 0; i < GUESSES; i++) {
      guesses.add(http.postFormAsync("/oauth2/introspect",
          Map.of("token", "x", "client_id", clientId, "client_secret", "guess-" + i), TestClient.from(address)));
    }
    Future.all(guesses).await();
    assertThat(guesses).allSatisfy(g -> assertThat(g.result().statusCode()).isEqualTo(401));
  }

  private HttpResponse<Buffer> introspectFrom(String address, String clientId, String secret) {
    return http.postForm("/oauth2/introspect", Map.of("token", "x"),
        TestClient.from(address, TestClient.basic(clientId, secret)));
  }

  @Test
  void theRightSecretIsNeverRefusedAfterSomeoneElsesGuesses(Vertx vertx) {
    start(vertx);
    String secret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    assertThat(introspectFrom(GATEWAY, "gateway", secret).statusCode()).as("precondition: the secret works").isEqualTo(200);

    guessFrom(ATTACKER, "gateway");
    HttpResponse<Buffer> attacker = introspectFrom(ATTACKER, "gateway", "one-more-guess");
    assertThat(attacker.statusCode()).as("precondition: the guesser is backing off").isEqualTo(401);
    assertThat(attacker.getHeader("Retry-After")).as("precondition: the guesser is backing off").isNotNull();

    assertThat(introspectFrom(GATEWAY, "gateway", secret).statusCode()).isEqualTo(200);
    // The known-good secret is checked before any back-off, so even the guesser's own address gets through with it.
    assertThat(introspectFrom(ATTACKER, "gateway", secret).statusCode()).isEqualTo(200);
  }

  @Test
  void theRightSecretNotYetVerifiedOnThisNodeIsCheckedFromAnAddressThatNeverFailed(Vertx vertx) {
    start(vertx);
    String secret = http.createResourceServer(admin, "cold-rs", "read").getString("client_secret");

    guessFrom(ATTACKER, "cold-rs");
    assertThat(introspectFrom(ATTACKER, "cold-rs", "one-more-guess").getHeader("Retry-After"))
        .as("precondition: the guesser is backing off").isNotNull();

    assertThat(introspectFrom(GATEWAY, "cold-rs", secret).statusCode()).isEqualTo(200);
  }

  @Test
  void aThrottledClientAuthenticationIsInvalidClientWithRetryAfter(Vertx vertx) {
    start(vertx);
    http.createResourceServer(admin, "guessed-rs", "read");
    String other = http.createResourceServer(admin, "other-rs", "read").getString("client_secret");

    guessFrom(ATTACKER, "guessed-rs");
    HttpResponse<Buffer> throttled = introspectFrom(ATTACKER, "guessed-rs", "one-more-guess");

    assertThat(throttled.statusCode()).isEqualTo(401);
    assertThat(throttled.bodyAsJsonObject().getString("error")).isEqualTo("invalid_client");
    assertThat(throttled.getHeader("WWW-Authenticate")).startsWith("Basic");
    assertThat(Long.parseLong(throttled.getHeader("Retry-After"))).isBetween(1L, 300L);
    assertThat(introspectFrom(GATEWAY, "other-rs", other).statusCode()).isEqualTo(200);
  }
}
