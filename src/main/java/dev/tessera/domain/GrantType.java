package dev.tessera.domain;

import java.util.Optional;

/** The RFC 6749 grants Tessera serves. */
public enum GrantType {
  AUTHORIZATION_CODE("authorization_code"),
  PASSWORD("password"),
  CLIENT_CREDENTIALS("client_credentials"),
  REFRESH_TOKEN("refresh_token");

  private final String wireName;

  GrantType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<GrantType> fromWire(String name) {
    for (GrantType g : values()) {
      if (g.wireName.equals(name)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }
}
