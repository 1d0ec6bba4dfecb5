package dev.tessera.token;

import java.util.List;

/** How far a revocation got: how many live nodes there were, how many confirmed eviction, how fast. */
public record Propagation(int nodes, int acked, double ms, List<String> missing) {
  public static Propagation localOnly() {
    return new Propagation(1, 1, 0.0, List.of());
  }
}
