package dev.tessera.auth;

/** Wrong username, wrong password, disabled user or unknown client: deliberately one undistinguished failure. */
public final class InvalidCredentials extends RuntimeException {
  public InvalidCredentials(String message) {
    super(message, null, false, false);
  }
}
