package dev.tessera.token;

import dev.tessera.metrics.TesseraMetrics.Result;
import dev.tessera.metrics.TesseraMetrics.Source;

/** The answer to "is this token good?": the token when active, and where the answer came from. */
public record Verification(Result result, Source source, CachedToken token) {
  static final Verification INVALID = new Verification(Result.INVALID, Source.CACHE, null);

  public boolean active() {
    return result == Result.ACTIVE;
  }
}
