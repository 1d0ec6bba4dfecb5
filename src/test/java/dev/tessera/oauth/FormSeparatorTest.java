package dev.tessera.oauth;

import dev.tessera.testing.NodeFixture;
import dev.tessera.testing.TestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * application/x-www-form-urlencoded separates parameters with {@code &} only: a {@code ;} is an ordinary
 * character of the value it appears in, as every form encoder and proxy in front of Tessera reads it.
 */
@ExtendWith(VertxExtension.class)
class FormSeparatorTest {
  @RegisterExtension
  static final NodeFixture node = NodeFixture.withDefaults();
  private static TestClient http;

  @BeforeAll
  static void start() {
    http = node.http();
    String admin = node.adminToken();
    http.createPublicClient(admin, "fs-mobile", "read");
    http.createUser(admin, "fs-olga", "olga-password", "read");
    http.createUser(admin, "fs-semi", "semi;colon;password", "read");
  }

  @Test
  void aSemicolonDoesNotStartANewParameter() {
    // Precondition: the same parameters joined with & do sign in.
    HttpResponse<Buffer> withAmpersand = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=fs-mobile&username=fs-olga&password=olga-password", null);
    assertThat(withAmpersand.statusCode()).as(withAmpersand.bodyAsString()).isEqualTo(200);

    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password;client_id=fs-mobile&username=fs-olga&password=olga-password", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isBetween(400, 401);
    assertThat(r.bodyAsJsonObject().containsKey("access_token")).isFalse();
    assertThat(r.bodyAsJsonObject().getString("error")).isIn("unsupported_grant_type", "invalid_request", "invalid_client");
  }

  @Test
  void aRawSemicolonInAPasswordIsPartOfThePassword() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=fs-mobile&username=fs-semi&password=semi;colon;password", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    assertThat(r.bodyAsJsonObject().getString("access_token")).startsWith("tsr_");
  }

  @Test
  void aPasswordCutAtTheSemicolonDoesNotSignIn() {
    HttpResponse<Buffer> r = http.postFormBody("/oauth2/token",
        "grant_type=password&client_id=fs-mobile&username=fs-olga&password=olga-password;junk", null);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(400);
    assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("invalid_grant");
  }
}
