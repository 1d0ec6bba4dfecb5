package dev.tessera.token;

import dev.tessera.domain.Scopes;
import dev.tessera.domain.TokenHash;
import dev.tessera.domain.TokenKind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory pieces of a cache-hit verification, one at a time: token format + keyed tag check + SHA-256
 * (TokenCodec.parse), the cache lookup (VerificationCache.get over 100,000 entries), and the introspection
 * answer encoding as OAuthRoutes does it (JsonObject built per request, then toBuffer).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
  private static final int ENTRIES = 100_000;

  private TokenCodec codec;
  private String[] tokens;
  private String forged;
  private TokenHash[] hashes;
  private VerificationCache cache;
  private CachedToken sample;
  private int i;

  @Setup(Level.Trial)
  public void setup() {
    SecureRandom random = new SecureRandom();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    codec = new TokenCodec(secret);
    tokens = new String[1024];
    for (int k = 0; k < tokens.length; k++) {
      byte[] r = new byte[TokenCodec.RANDOM_BYTES];
      random.nextBytes(r);
      tokens[k] = codec.encode(r);
    }
    char[] f = tokens[0].toCharArray();
    f[f.length - 1] = f[f.length - 1] == 'A' ? 'B' : 'A';
    forged = new String(f);
    cache = new VerificationCache(1_000_000);
    hashes = new TokenHash[ENTRIES];
    long now = System.currentTimeMillis() / 1000;
    Scopes scopes = Scopes.parse("api.read api.write");
    UUID user = UUID.randomUUID();
    for (int k = 0; k < ENTRIES; k++) {
      byte[] d = new byte[32];
      random.nextBytes(d);
      hashes[k] = new TokenHash(d);
      cache.put(hashes[k], new CachedToken(UUID.randomUUID(), TokenKind.ACCESS, UUID.randomUUID(), user,
          "alice@example.com", "bench-app", scopes, now, now + 3600));
    }
    sample = cache.get(hashes[0]);
  }

  @Benchmark
  public Optional<TokenHash> parseValid() {
    return codec.parse(tokens[i++ & 1023]);
  }

  @Benchmark
  public Optional<TokenHash> parseForgedTag() {
    return codec.parse(forged);
  }

  @Benchmark
  public TokenHash sha256Only() {
    return TokenCodec.hash(tokens[i++ & 1023]);
  }

  @Benchmark
  public CachedToken cacheHit() {
    i = (i + 7919) % ENTRIES;
    return cache.get(hashes[i]);
  }

  @Benchmark
  public Buffer introspectionEncode() {
    return dev.tessera.http.IntrospectionResponse.active(sample, "http://localhost:8080");
  }

  @Benchmark
  public Optional<CachedToken> parseThenLookup() {
    // parse + lookup together (a miss: the parsed tokens are not in the cache), the per-request in-memory cost.
    return codec.parse(tokens[i++ & 1023]).map(cache::get);
  }
}
