package dev.tessera.domain;

import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

public record User(UUID id, String username, String passwordHash, Scopes scopes, boolean disabled,
                   Instant createdAt) {

  /** Usernames are often e-mail addresses and compare case-insensitively. */
  public static String key(String username) {
    return username.trim().toLowerCase(Locale.ROOT);
  }
}
