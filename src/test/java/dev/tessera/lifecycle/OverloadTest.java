package dev.tessera.lifecycle;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Password hashing is deliberately slow; a flood of sign-ins must be turned away fast (503 + Retry-After)
 * once the bounded hash queue is full, while token verification on the same node keeps answering.
 */
@ExtendWith(VertxExtension.class)
class OverloadTest {

  @Test
  void aSignInFloodIsShedWhileVerificationKeepsAnswering(Vertx vertx) {
    // Real Argon2 cost, one hashing thread and a queue of two: a flood of 40 must overflow it. Each
    // sign-in comes from an address of its own (the node trusts 127.0.0.1 as a proxy), so what sheds
    // them is the pool's bound, not one address's share of it (AnonymousWorkTest).
    try (TestNode node = TestNode.start(Map.of("TESSERA_HASH_THREADS", 1, "TESSERA_HASH_QUEUE", 2,
        "TESSERA_ARGON2_MEMORY_KIB", 19456, "TESSERA_ARGON2_ITERATIONS", 2, "TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"));
         TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      String secret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
      http.createUser(admin, "hank@example.com", "user-password", "read");
      String token = http.login("mobile", "hank@example.com", "user-password", "Pixel").getString("access_token");
      // The resource server has introspected before: its secret is verified once, then remembered.
      assertThat(http.introspect("gateway", secret, token).getBoolean("active")).isTrue();

      ExecutorService flood = Executors.newFixedThreadPool(40);
      try {
        List<CompletableFuture<Integer>> logins = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          String address = "203.0.113." + (i + 1);
          logins.add(CompletableFuture.supplyAsync(() -> {
            var r = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mobile",
                "username", "hank@example.com", "password", "user-password"), TestClient.from(address));
            if (r.statusCode() == 503) {
              assertThat(r.getHeader("Retry-After")).isEqualTo("1");
              assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("temporarily_unavailable");
            }
            return r.statusCode();
          }, flood));
        }
        // While the flood is in progress, introspection (no hashing: the caller's secret is cached) answers.
        for (int i = 0; i < 20; i++) {
          assertThat(http.introspect("gateway", secret, token).getBoolean("active")).isTrue();
        }
        List<Integer> statuses = logins.stream().map(CompletableFuture::join).toList();
        assertThat(statuses).contains(503).contains(200).allMatch(s -> s == 200 || s == 503);
        assertThat(http.metric("tessera_password_checks_refused_total{reason=\"overloaded\"}"))
            .as("every 503 is counted").isEqualTo(statuses.stream().filter(s -> s == 503).count());
      } finally {
        flood.shutdownNow();
      }
    }
  }
}
