package dev.tessera.domain;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * SHA-256 of a raw token: the only form in which a token is stored, cached or compared. Held as four
 * longs rather than a byte array — one object instead of two per cache entry, which matters at a
 * million cached tokens. The raw token never leaves the request that carried it.
 */
public final class TokenHash {
  private final long a;
  private final long b;
  private final long c;
  private final long d;

  public TokenHash(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a token hash is 32 bytes");
    }
    ByteBuffer bytes = ByteBuffer.wrap(digest);
    a = bytes.getLong();
    b = bytes.getLong();
    c = bytes.getLong();
    d = bytes.getLong();
  }

  public byte[] bytes() {
    return ByteBuffer.allocate(32).putLong(a).putLong(b).putLong(c).putLong(d).array();
  }

  /** For logs and audit: a short, non-reversible reference to a token. */
  public String shortId() {
    return HexFormat.of().formatHex(bytes(), 0, 6);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash other && other.a == a && other.b == b && other.c == c && other.d == d;
  }

  /** The digest is already uniformly random: its first bits are a perfect hash code. */
  @Override
  public int hashCode() {
    return (int) (a >>> 32);
  }

  @Override
  public String toString() {
    return "TokenHash[" + shortId() + "]";
  }
}
