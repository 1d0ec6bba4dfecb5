package dev.tessera.domain;

public enum TokenKind {
  ACCESS, REFRESH,
  /** The browser sign-in (single sign-on) cookie: never a bearer credential, only read at /oauth2/authorize. */
  BROWSER;

  public String dbName() {
    return name().toLowerCase();
  }

  public static TokenKind fromDb(String name) {
    return valueOf(name.toUpperCase());
  }
}
