package dev.tessera.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The sign-in form's CSRF value: HMAC(key, browser nonce, the pending authorization request). The nonce
 * sits in an HttpOnly cookie another site can neither read nor send on a cross-site POST (SameSite=Lax),
 * and binding the request means a value from one sign-in cannot authorise another. Stateless, so any node
 * can check a form another node rendered.
 */
final class SignInCsrf {
  static final Pattern NONCE = Pattern.compile("[A-Za-z0-9_-]{43}");
  private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

  private final SecretKeySpec key;

  SignInCsrf(byte[] key) {
    this.key = new SecretKeySpec(key, "HmacSHA256");
  }

  String value(String nonce, Map<String, String> request) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(nonce.getBytes(StandardCharsets.US_ASCII));
      // Sorted, encoded name=value pairs: one unambiguous byte string per request.
      request.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> mac.update(("&"
          + URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII)));
      return BASE64URL.encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
    }
  }

  boolean valid(String nonce, Map<String, String> request, String presented) {
    if (nonce == null || presented == null || !NONCE.matcher(nonce).matches()) {
      return false;
    }
    return MessageDigest.isEqual(value(nonce, request).getBytes(StandardCharsets.US_ASCII),
        presented.getBytes(StandardCharsets.US_ASCII));
  }
}
