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

/** TESSERA_TOKEN_RATE_PER_CLIENT: each client gets its own token bucket on /oauth2/token. */
@ExtendWith(VertxExtension.class)
class ClientRateLimitTest {

  @Test
  void aClientOverItsRateIsToldWhenToComeBackAndOthersAreUnaffected(Vertx vertx) {
    try (TestNode node = TestNode.start(Map.of("TESSERA_TOKEN_RATE_PER_CLIENT", 2));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      String noisy = http.createResourceServer(admin, "noisy", "read").getString("client_secret");
      String quiet = http.createResourceServer(admin, "quiet", "read").getString("client_secret");

      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        burst.add(http.postFormAsync("/oauth2/token", Map.of("grant_type", "client_credentials",
            "client_id", "noisy", "client_secret", noisy)));
      }
      Future.all(burst).await();
      List<HttpResponse<Buffer>> limited = burst.stream().map(Future::result).filter(r -> r.statusCode() == 429).toList();
      assertThat(limited).isNotEmpty();
      HttpResponse<Buffer> refusal = limited.get(0);
      assertThat(refusal.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
      assertThat(Long.parseLong(refusal.getHeader("Retry-After"))).isBetween(1L, 2L);
      assertThat(burst.stream().map(Future::result).filter(r -> r.statusCode() == 200).count()).isLessThanOrEqualTo(5);

      var other = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"), TestClient.basic("quiet", quiet));
      assertThat(other.statusCode()).isEqualTo(200);
    }
  }
}
