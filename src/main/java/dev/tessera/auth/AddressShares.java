package dev.tessera.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many places of a bounded resource each caller address holds (password checks under way, open
 * connections), so that no one address can hold them all and refuse everyone else. A count exists only
 * while the address holds a place: an address with nothing under way costs no memory, however many
 * addresses there are.
 */
public final class AddressShares {
  private final int perAddress;
  private final ConcurrentHashMap<String, Integer> held = new ConcurrentHashMap<>();

  public AddressShares(int perAddress) {
    if (perAddress < 1) {
      throw new IllegalArgumentException("perAddress must be at least 1");
    }
    this.perAddress = perAddress;
  }

  public int perAddress() {
    return perAddress;
  }

  /** Takes a place for {@code address}; false, taking nothing, if it already holds its share. */
  public boolean tryTake(String address) {
    boolean[] taken = new boolean[1];
    held.compute(address, (a, count) -> {
      int now = count == null ? 0 : count;
      if (now >= perAddress) {
        return count;
      }
      taken[0] = true;
      return now + 1;
    });
    return taken[0];
  }

  /** Gives back one place taken by {@link #tryTake}. */
  public void giveBack(String address) {
    held.computeIfPresent(address, (a, count) -> count > 1 ? count - 1 : null);
  }

  /** Addresses holding at least one place (for tests). */
  int addresses() {
    return held.size();
  }
}
