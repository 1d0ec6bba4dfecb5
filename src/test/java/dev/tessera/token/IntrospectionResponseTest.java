package dev.tessera.token;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenKind;
import dev.tessera.domain.TokenRecord;
import dev.tessera.http.IntrospectionResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The active introspection answer is written byte by byte (no JsonObject): it must still be exactly the
 * JSON a JsonObject would hold, whatever the strings in it contain.
 */
class IntrospectionResponseTest {
  private static final UUID ID = UUID.fromString("0b7e4a52-6a0e-4a7c-9d0c-2f1b8f3c9e11");
  private static final UUID USER = UUID.fromString("5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  private static final Instant ISSUED = Instant.ofEpochSecond(1_796_000_000L);

  @Test
  void anActiveAnswerCarriesEveryFieldOfRfc7662WithItsType() {
    JsonObject answer = answer(token("alice", "web-app", USER), "https://id.example.com");

    assertThat(answer).isEqualTo(new JsonObject()
        .put("active", true).put("scope", "orders:read profile").put("client_id", "web-app")
        .put("username", "alice").put("sub", USER.toString()).put("token_type", "Bearer")
        .put("exp", ISSUED.getEpochSecond() + 900).put("iat", ISSUED.getEpochSecond())
        .put("jti", ID.toString()).put("iss", "https://id.example.com"));
  }

  @Test
  void aClientTokenHasNoUsernameAndTheClientAsSubject() {
    JsonObject answer = answer(token(null, "batch-job", null), "http://localhost:8080");

    assertThat(answer.containsKey("username")).isFalse();
    assertThat(answer.getString("sub")).isEqualTo("batch-job");
  }

  @ParameterizedTest
  @ValueSource(strings = {"quote\"d", "back\\slash", "tab\there", "new\nline", "bell\u0007", "del\u007f",
      "café", "名前", "emoji 😀", "</script>", "\u2028separator"})
  void stringsThatNeedEscapingOrAreNotAsciiRoundTrip(String value) {
    JsonObject answer = answer(token(value, value, null), value);

    assertThat(answer.getString("username")).isEqualTo(value);
    assertThat(answer.getString("client_id")).isEqualTo(value);
    assertThat(answer.getString("sub")).isEqualTo(value);
    assertThat(answer.getString("iss")).isEqualTo(value);
  }

  private static JsonObject answer(CachedToken token, String issuer) {
    // Parsed from the bytes, as a resource server would: any escaping mistake fails here or in the equality.
    return new JsonObject(new IntrospectionResponse(issuer).active(token).toString(StandardCharsets.UTF_8));
  }

  private static CachedToken token(String username, String clientId, UUID userId) {
    return CachedToken.from(new TokenRecord(ID, TokenKind.ACCESS, UUID.randomUUID(), userId, username, clientId,
        Scopes.parse("orders:read profile"), ISSUED, ISSUED.plusSeconds(900), ISSUED.plusSeconds(3600), false, false));
  }
}
