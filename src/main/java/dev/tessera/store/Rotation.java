package dev.tessera.store;

import dev.tessera.domain.TokenRecord;

/** Outcome of presenting a refresh token for rotation. */
public sealed interface Rotation {
  /** The token was live and unused; it is now used and the new tokens are stored. */
  record Rotated(TokenRecord previous) implements Rotation {
  }

  /** The token had already been rotated: a replay, so its family must be revoked. */
  record Reused(TokenRecord previous) implements Rotation {
  }

  /** Unknown, not a refresh token, expired or revoked. */
  record Rejected() implements Rotation {
  }
}
