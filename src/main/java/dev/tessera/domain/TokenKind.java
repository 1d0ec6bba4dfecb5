package dev.tessera.domain;

public enum TokenKind {
  ACCESS, REFRESH;

  public String dbName() {
    return name().toLowerCase();
  }

  public static TokenKind fromDb(String name) {
    return valueOf(name.toUpperCase());
  }
}
