package dev.tessera.verify;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** X-Auth-Username survives any username: non-ASCII ones arrive percent-encoded as UTF-8, never mangled. */
@ExtendWith(VertxExtension.class)
class UsernameHeaderTest {

  @Test
  void nonAsciiUsernamesArePercentEncodedAndAsciiOnesPassUnchanged(Vertx vertx) {
    try (TestNode node = TestNode.start(); TestClient http = new TestClient(vertx, node.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      for (String username : new String[] {"李雷@example.com", "Jürgen", "100%sure@example.com", "plain@example.com"}) {
        http.createUser(admin, username, "user-password", "read");
        String token = http.login("mobile", username, "user-password", "phone").getString("access_token");
        String header = http.get("/auth/verify", TestClient.bearer(token)).getHeader("X-Auth-Username");
        assertThat(header).matches("[\\x20-\\x7e]+");
        assertThat(URLDecoder.decode(header.replace("+", "%2B"), StandardCharsets.UTF_8)).isEqualTo(username);
      }
      String plain = http.login("mobile", "plain@example.com", "user-password", "phone").getString("access_token");
      assertThat(http.get("/auth/verify", TestClient.bearer(plain)).getHeader("X-Auth-Username")).isEqualTo("plain@example.com");
    }
  }
}
