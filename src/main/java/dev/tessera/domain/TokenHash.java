package dev.tessera.domain;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 of a raw token: the only form in which a token is stored, cached or compared.
 * Equality is over the digest bytes; the raw token never leaves the request that carried it.
 */
public final class TokenHash {
  private final byte[] digest;
  private final int hash;

  public TokenHash(byte[] digest) {
    if (digest.length != 32) {
      throw new IllegalArgumentException("a token hash is 32 bytes");
    }
    this.digest = digest;
    // The digest is already uniformly random: its first bytes are a perfect hash code.
    this.hash = (digest[0] & 0xff) << 24 | (digest[1] & 0xff) << 16 | (digest[2] & 0xff) << 8 | (digest[3] & 0xff);
  }

  public byte[] bytes() {
    return digest.clone();
  }

  /** For logs and audit: a short, non-reversible reference to a token. */
  public String shortId() {
    return HexFormat.of().formatHex(digest, 0, 6);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenHash other && other.hash == hash && Arrays.equals(other.digest, digest);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "TokenHash[" + shortId() + "]";
  }
}
