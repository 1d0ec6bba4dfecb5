package dev.tessera.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tessera.auth.ClientCredentials;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * {@code client_secret_basic} decoding (RFC 6749 §2.3.1) reads an attacker's Authorization header before
 * anything is authenticated. Any header either yields a client id and secret or is refused with
 * invalid_client; nothing else may escape (it would be a 500). Well-formed headers decode to exactly what
 * the client encoded, in both the form-encoded and the raw dialect.
 */
class ClientCredentialsReaderFuzzTest {

  /** Whatever follows "Basic ": a result with an id and a secret, or a 401 invalid_client. */
  @FuzzTest
  @DictionaryEntries({"Basic ", "basic ", "Bearer ", ":", "%", "%3A", "%25", "+", "=="})
  void anyHeaderIsCredentialsOrInvalidClient(FuzzedDataProvider data) {
    String header = switch (data.consumeInt(0, 2)) {
      case 0 -> data.consumeRemainingAsString();
      case 1 -> "Basic " + data.consumeRemainingAsString();
      default -> "Basic " + Base64.getEncoder().encodeToString(data.consumeRemainingAsBytes());
    };
    ClientCredentials credentials;
    try {
      credentials = ClientCredentialsReader.basic(header);
    } catch (OAuthError refused) {
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.error()).isEqualTo("invalid_client");
      return;
    }
    Stream.concat(Stream.of(credentials), credentials.alternatives().stream()).forEach(c -> {
      assertThat(c.clientId()).isNotEmpty();
      assertThat(c.secret()).isPresent();
    });
  }

  /** A client that follows §2.3.1 gets back exactly its id and secret, whatever characters they hold. */
  @FuzzTest
  void formEncodedPairDecodesToItself(FuzzedDataProvider data) {
    String clientId = data.consumeString(100);
    String secret = data.consumeRemainingAsString();
    if (clientId.isEmpty() || !wellFormed(clientId) || !wellFormed(secret)) {
      return;
    }
    String pair = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
    ClientCredentials credentials = ClientCredentialsReader.basic(basic(pair));
    assertThat(credentials.clientId()).isEqualTo(clientId);
    assertThat(credentials.secret()).contains(secret);
  }

  /** A client that skips the form-encoding step is still understood through one of the readings. */
  @FuzzTest
  void rawPairIsOneOfTheReadings(FuzzedDataProvider data) {
    String clientId = data.consumeString(100);
    String secret = data.consumeRemainingAsString();
    if (clientId.isEmpty() || clientId.contains(":") || !wellFormed(clientId) || !wellFormed(secret)) {
      return;
    }
    assertThatCode(() -> {
      ClientCredentials credentials = ClientCredentialsReader.basic(basic(clientId + ":" + secret));
      assertThat(Stream.concat(Stream.of(credentials), credentials.alternatives().stream()))
          .anyMatch(c -> c.clientId().equals(clientId) && c.secret().orElseThrow().equals(secret));
    }).doesNotThrowAnyException();
  }

  private static String basic(String pair) {
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  /** Lone surrogates cannot be sent as UTF-8 at all, so no client can present them. */
  private static boolean wellFormed(String s) {
    return StandardCharsets.UTF_8.newEncoder().canEncode(s);
  }
}
