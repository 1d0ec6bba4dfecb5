package dev.tessera.token;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.SecureRandom;
import java.util.List;
import java.util.UUID;

/**
 * Heap bytes per cached token: fills a real {@link VerificationCache} with N realistic entries and compares
 * heap-after-GC with the empty cache. Lives in package dev.tessera.token (package-private put and
 * CachedToken constructor) and is compiled against target/classes; see bench/memory.sh.
 *
 * Entries: distinct TokenHash (32 random bytes), distinct token id and session id UUIDs, user ids from a pool
 * of 1,000 users (a user has several tokens), 3 interned scope sets, 5 client ids, usernames shared per user,
 * access tokens expiring in 15 minutes.
 */
public final class CacheMemory {
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    SecureRandom random = new SecureRandom();
    List<Scopes> scopeSets = List.of(Scopes.parse("api.read"), Scopes.parse("api.read api.write"),
        Scopes.parse("api.read api.write profile email"));
    String[] clients = {"web-app", "ios-app", "android-app", "partner-api", "batch-job"};
    int users = 1000;
    UUID[] userIds = new UUID[users];
    String[] usernames = new String[users];
    for (int i = 0; i < users; i++) {
      userIds[i] = UUID.randomUUID();
      usernames[i] = "user" + i + "@example.com";
    }
    // Pre-generate the keys outside the measured delta? No: the key objects are part of what the cache holds.
    VerificationCache cache = new VerificationCache(Math.max(n, 1));
    long empty = usedAfterGc(mx);
    long now = System.currentTimeMillis() / 1000;
    byte[] digest;
    for (int i = 0; i < n; i++) {
      digest = new byte[32];
      random.nextBytes(digest);
      int u = i % users;
      boolean machine = i % 10 == 0; // 10% client_credentials tokens: no user
      CachedToken token = new CachedToken(UUID.randomUUID(), TokenKind.ACCESS, UUID.randomUUID(),
          machine ? null : userIds[u], machine ? null : usernames[u], clients[i % clients.length],
          scopeSets.get(i % scopeSets.size()), now, now + 900);
      cache.put(new TokenHash(digest), token);
    }
    long full = usedAfterGc(mx);
    long size = cache.size();
    System.out.printf("entries=%d empty_heap=%d full_heap=%d delta=%d bytes_per_entry=%.1f%n", size, empty, full,
        full - empty, (full - empty) / (double) size);
    // Keep the cache reachable until after the measurement.
    if (cache.get(new TokenHash(new byte[32])) != null) {
      System.out.println("impossible");
    }
  }

  private static long usedAfterGc(MemoryMXBean mx) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      best = Math.min(best, mx.getHeapMemoryUsage().getUsed());
    }
    return best;
  }
}
