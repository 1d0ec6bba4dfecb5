package dev.tessera.auth;

/**
 * The caller's address already has its share of the password-hashing pool in use. Not a failed
 * attempt (nothing was checked, nothing is counted against the account): the caller should answer 429
 * with Retry-After and let the address's checks under way finish first.
 */
public final class AddressBusy extends RuntimeException {
  public AddressBusy(int share) {
    super("this address already has " + share + " password checks under way", null, false, false);
  }
}
