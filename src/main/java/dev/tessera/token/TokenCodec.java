package dev.tessera.token;

import dev.tessera.domain.TokenHash;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * The token wire format: {@code tsr_} + base64url(32 random bytes) + base64url(first 6 bytes of
 * HMAC-SHA256(key, random bytes)). The keyed tag lets a node reject malformed or forged strings in
 * memory, so garbage never costs a database round trip; 48 bits makes online forgery hopeless.
 */
public final class TokenCodec {
  public static final String PREFIX = "tsr_";
  static final int RANDOM_BYTES = 32;
  private static final int TAG_BYTES = 6;
  private static final int RANDOM_CHARS = 43;
  private static final int TAG_CHARS = 8;
  public static final int LENGTH = PREFIX.length() + RANDOM_CHARS + TAG_CHARS;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private final SecretKeySpec key;
  // Mac and MessageDigest are not thread-safe and costly to look up: one of each per thread.
  private final ThreadLocal<Mac> mac;
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  });

  public TokenCodec(byte[] secret) {
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.mac = ThreadLocal.withInitial(() -> {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(key);
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
      }
    });
  }

  /**
   * A key for another purpose (e.g. the sign-in form's CSRF value) derived from the token secret, so every
   * node derives the same key and no purpose's MACs can stand in for token tags.
   */
  public byte[] derivedKey(String purpose) {
    Mac m = mac.get();
    return m.doFinal(("tessera key for " + purpose).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Encodes fresh random bytes as a token; the caller stores only {@link #hash(String)} of the result. */
  public String encode(byte[] random) {
    if (random.length != RANDOM_BYTES) {
      throw new IllegalArgumentException("a token carries " + RANDOM_BYTES + " random bytes");
    }
    return PREFIX + ENCODER.encodeToString(random) + ENCODER.encodeToString(tag(random));
  }

  /**
   * Checks the format and the keyed tag; returns the lookup hash for a well-formed token, empty for
   * anything else. Never throws on input and never echoes it.
   */
  public Optional<TokenHash> parse(String candidate) {
    return hasTokenShape(candidate) && authentic(candidate) ? Optional.of(hash(candidate)) : Optional.empty();
  }

  /**
   * The cheap half of {@link #parse}: length, prefix and alphabet only, no tag. Enough to look a string up
   * among tokens this node has already parsed (their hashes): the tag must still be checked before
   * anything that was not found there costs more than memory.
   */
  public static boolean hasTokenShape(String candidate) {
    if (candidate == null || candidate.length() != LENGTH || !candidate.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < LENGTH; i++) {
      if (!isBase64Url(candidate.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** The expensive half of {@link #parse}: canonical encoding and the keyed tag, for a string of token shape. */
  public boolean authentic(String candidate) {
    byte[] random;
    byte[] presentedTag;
    try {
      random = DECODER.decode(candidate.substring(PREFIX.length(), PREFIX.length() + RANDOM_CHARS));
      presentedTag = DECODER.decode(candidate.substring(PREFIX.length() + RANDOM_CHARS));
    } catch (IllegalArgumentException e) {
      return false;
    }
    // Canonical encoding only: a different string for the same bytes would hash differently.
    if (!ENCODER.encodeToString(random).equals(candidate.substring(PREFIX.length(), PREFIX.length() + RANDOM_CHARS))) {
      return false;
    }
    return MessageDigest.isEqual(tag(random), presentedTag);
  }

  public static TokenHash hash(String token) {
    return new TokenHash(SHA256.get().digest(token.getBytes(StandardCharsets.US_ASCII)));
  }

  private byte[] tag(byte[] random) {
    byte[] full = mac.get().doFinal(random);
    byte[] tag = new byte[TAG_BYTES];
    System.arraycopy(full, 0, tag, 0, TAG_BYTES);
    return tag;
  }

  private static boolean isBase64Url(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  }
}
