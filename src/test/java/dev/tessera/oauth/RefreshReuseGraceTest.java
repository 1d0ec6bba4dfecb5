package dev.tessera.oauth;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TESSERA_REFRESH_REUSE_GRACE: a mobile app that lost the answer to a refresh and retries with the same
 * refresh token is renewed once, shortly after the rotation; any other replay still revokes the family.
 * The window here is a minute so that "within the window" holds on a busy machine; "after the window"
 * is tested on a node whose window is one second.
 */
@ExtendWith(VertxExtension.class)
class RefreshReuseGraceTest {
  private static final String PASSWORD = "olive-password";
  @RegisterExtension
  static final NodeFixture node = NodeFixture.with(Map.of("TESSERA_REFRESH_REUSE_GRACE", "PT60S"));
  private static TestClient http;
  private static String gatewaySecret;

  @BeforeAll
  static void start() {
    http = node.http();
    gatewaySecret = setUp(http);
  }

  /** A public client, a resource server and a user; returns the resource server's secret. */
  private static String setUp(TestClient client) {
    String admin = client.adminToken();
    client.createPublicClient(admin, "rg-mobile", "read");
    client.createUser(admin, "olive", PASSWORD, "read");
    return client.createResourceServer(admin, "rg-gateway", "read").getString("client_secret");
  }

  private static JsonObject refreshed(TestClient client, String refreshToken) {
    HttpResponse<Buffer> r = client.refresh("rg-mobile", refreshToken);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  private static void assertReuseRevokes(TestClient client, String refreshToken) {
    HttpResponse<Buffer> r = client.refresh("rg-mobile", refreshToken);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }

  private static boolean active(String token) {
    return http.isActive("rg-gateway", gatewaySecret, token);
  }

  /** The tokens of one sign-in whose first refresh answer was lost and whose retry was renewed. */
  private record Retried(JsonObject signedIn, JsonObject lost, JsonObject retried) {
  }

  private static Retried retriedAfterALostAnswer() {
    JsonObject signedIn = http.login("rg-mobile", "olive", PASSWORD, "phone");
    JsonObject lost = refreshed(http, signedIn.getString("refresh_token"));
    JsonObject retried = refreshed(http, signedIn.getString("refresh_token"));
    assertThat(active(retried.getString("access_token"))).isTrue();
    return new Retried(signedIn, lost, retried);
  }

  @Test
  void aRetryAfterALostAnswerIsRenewedOnce() {
    Retried session = retriedAfterALostAnswer();
    // The app carries on with what the retry gave it.
    JsonObject next = refreshed(http, session.retried().getString("refresh_token"));
    assertThat(active(next.getString("access_token"))).isTrue();
  }

  @Test
  void aSecondReplayRevokesTheFamily() {
    Retried session = retriedAfterALostAnswer();
    assertReuseRevokes(http, session.signedIn().getString("refresh_token"));
    assertThat(active(session.retried().getString("access_token"))).isFalse();
    assertReuseRevokes(http, session.retried().getString("refresh_token"));
  }

  @Test
  void theLostAnswersRefreshTokenIsSpentAndPresentingItRevokesTheFamily() {
    Retried session = retriedAfterALostAnswer();
    // Only someone holding a copy the app never received can present it.
    assertReuseRevokes(http, session.lost().getString("refresh_token"));
    assertThat(active(session.retried().getString("access_token"))).isFalse();
  }

  @Test
  void aReplayAfterTheNextRotationRevokesTheFamilyEvenWithinTheWindow() {
    JsonObject signedIn = http.login("rg-mobile", "olive", PASSWORD, "phone");
    JsonObject second = refreshed(http, signedIn.getString("refresh_token"));
    JsonObject third = refreshed(http, second.getString("refresh_token"));
    assertThat(active(third.getString("access_token"))).isTrue();

    // The chain moved on past the replayed token's successor: this is not a lost answer.
    assertReuseRevokes(http, signedIn.getString("refresh_token"));
    assertThat(active(third.getString("access_token"))).isFalse();
  }

  @Test
  void aReplayAfterTheWindowRevokesTheFamily(Vertx vertx) {
    try (TestNode shortGrace = TestNode.start(Map.of("TESSERA_REFRESH_REUSE_GRACE", "PT1S"));
         TestClient client = new TestClient(vertx, shortGrace.port())) {
      String secret = setUp(client);
      JsonObject signedIn = client.login("rg-mobile", "olive", PASSWORD, "phone");
      JsonObject rotated = refreshed(client, signedIn.getString("refresh_token"));
      Instant rotatedBy = Instant.now();
      assertThat(client.isActive("rg-gateway", secret, rotated.getString("access_token"))).isTrue();
      Instant windowOver = rotatedBy.plusSeconds(2);
      Eventually.within(Duration.ofSeconds(10), () -> Instant.now().isAfter(windowOver), "the grace window to pass");

      assertReuseRevokes(client, signedIn.getString("refresh_token"));
      assertThat(client.isActive("rg-gateway", secret, rotated.getString("access_token"))).isFalse();
    }
  }
}
