package dev.tessera.fuzz;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tessera.domain.Scopes;

import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scope parsing sits on the token endpoint, forward auth's {@code scope} query and the admin API. Bad
 * input may only be refused with {@link IllegalArgumentException} (mapped to invalid_scope or a 400
 * problem); anything accepted is RFC 6749 §3.3 syntax and survives a round trip through its wire form.
 */
class ScopesFuzzTest {
  private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,64}");
  private static final int MAX_SCOPES = 64;

  @FuzzTest
  @DictionaryEntries({" ", "  ", "\t", "\"", "\\", "read", "write", "admin"})
  void parseEitherRefusesOrRoundTrips(String spaceSeparated) {
    Scopes scopes;
    try {
      scopes = Scopes.parse(spaceSeparated);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertWellFormed(scopes);
    assertThat(Scopes.parse(scopes.toString())).isEqualTo(scopes);
  }

  @FuzzTest
  void ofEitherRefusesOrRoundTrips(@NotNull List<String> values) {
    Scopes scopes;
    try {
      scopes = Scopes.of(values);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertWellFormed(scopes);
    assertThat(scopes.values()).containsExactlyInAnyOrderElementsOf(values.stream().distinct().toList());
    assertThat(Scopes.parse(scopes.toString())).isEqualTo(scopes);
  }

  private static void assertWellFormed(Scopes scopes) {
    assertThat(scopes.values().size()).isLessThanOrEqualTo(MAX_SCOPES);
    assertThat(scopes.values()).allMatch(v -> SCOPE_TOKEN.matcher(v).matches());
    assertThat(scopes.toString()).isEqualTo(String.join(" ", scopes.values()));
  }
}
