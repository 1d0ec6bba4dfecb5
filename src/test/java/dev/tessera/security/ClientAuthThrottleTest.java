package dev.tessera.security;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Guessing a client secret backs off per client id, like guessing a password backs off per account. */
@ExtendWith(VertxExtension.class)
class ClientAuthThrottleTest {

  @Test
  void repeatedWrongSecretsBackOffThatClientOnly(Vertx vertx) {
    try (TestNode node = TestNode.start(); TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      String secret = http.createResourceServer(admin, "guessed-rs", "read").getString("client_secret");
      String other = http.createResourceServer(admin, "other-rs", "read").getString("client_secret");

      // A burst passes the throttle check before any failure is counted, driving the back-off deep.
      List<Future<HttpResponse<Buffer>>> guesses = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        guesses.add(http.postFormAsync("/oauth2/introspect",
            Map.of("token", "x", "client_id", "guessed-rs", "client_secret", "guess-" + i)));
      }
      Future.all(guesses).await();

      var right = http.postForm("/oauth2/introspect", Map.of("token", "x"), TestClient.basic("guessed-rs", secret));
      assertThat(right.statusCode()).isEqualTo(429);
      assertThat(Long.parseLong(right.getHeader("Retry-After"))).isBetween(1L, 300L);
      assertThat(right.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");

      var unaffected = http.postForm("/oauth2/introspect", Map.of("token", "x"), TestClient.basic("other-rs", other));
      assertThat(unaffected.statusCode()).isEqualTo(200);
    }
  }
}
