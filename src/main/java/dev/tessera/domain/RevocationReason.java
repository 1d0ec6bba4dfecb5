package dev.tessera.domain;

/** Why sessions were revoked; the lower-case name is the {@code reason} metric label. */
public enum RevocationReason {
  /** The client revoked its own token (RFC 7009), e.g. at logout. */
  CLIENT,
  /** An administrator revoked a session, all of a user's sessions, or deleted a client. */
  ADMIN,
  /** A rotated refresh token was presented again: the family is assumed stolen. */
  REUSE,
  /** The user was disabled. */
  DISABLE;

  public String label() {
    return name().toLowerCase();
  }

  public static RevocationReason fromLabel(String label) {
    return valueOf(label.toUpperCase());
  }
}
