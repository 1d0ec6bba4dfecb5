package dev.tessera.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tessera.domain.TokenHash;
import dev.tessera.token.TokenCodec;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token parser is the first thing every verification runs on attacker-controlled text. It must never
 * throw, and it may accept a string only if that exact string is what {@link TokenCodec#encode} makes of
 * the bytes it carries: no second spelling of a token (it would hash to a different row) and no forgery.
 */
class TokenCodecFuzzTest {
  private static final TokenCodec CODEC = new TokenCodec("fuzz-key-0123456789abcdef0123456".getBytes(StandardCharsets.US_ASCII));
  private static final int RANDOM_CHARS = 43;

  /** Arbitrary text: accepted only if it re-encodes to itself, and then hashed like any issued token. */
  @FuzzTest
  @DictionaryEntries({"tsr_", "=", "+", "/", "-", "_", "%3D"})
  void parseAcceptsOnlyCanonicalTokensItEncoded(String candidate) {
    Optional<TokenHash> parsed = CODEC.parse(candidate);
    if (parsed.isPresent()) {
      assertThat(candidate).isEqualTo(CODEC.encode(carriedBytes(candidate)));
      assertThat(parsed.get()).isEqualTo(TokenCodec.hash(candidate));
    }
  }

  /**
   * A real token with fuzzer-chosen edits (one character replaced, truncated, extended): the fuzzer can
   * hardly reach the accept path from scratch, so start from it and check every edit is refused.
   */
  @FuzzTest
  void parseRefusesEveryEditOfAValidToken(FuzzedDataProvider data) {
    byte[] random = data.consumeBytes(32);
    if (random.length != 32) {
      return;
    }
    String token = CODEC.encode(random);
    assertThat(CODEC.parse(token)).contains(TokenCodec.hash(token));

    String edited = switch (data.consumeInt(0, 3)) {
      case 0 -> {
        int at = data.consumeInt(0, token.length() - 1);
        yield token.substring(0, at) + data.consumeChar() + token.substring(at + 1);
      }
      case 1 -> token.substring(0, data.consumeInt(0, token.length() - 1));
      case 2 -> token + data.consumeString(8);
      default -> {
        int at = data.consumeInt(0, token.length());
        yield token.substring(0, at) + data.consumeString(4) + token.substring(at);
      }
    };
    Optional<TokenHash> parsed = CODEC.parse(edited);
    if (edited.equals(token)) {
      assertThat(parsed).contains(TokenCodec.hash(token));
    } else {
      assertThat(parsed).as("an edited token %s", edited).isEmpty();
    }
  }

  private static byte[] carriedBytes(String token) {
    return Base64.getUrlDecoder().decode(token.substring(TokenCodec.PREFIX.length(), TokenCodec.PREFIX.length() + RANDOM_CHARS));
  }
}
