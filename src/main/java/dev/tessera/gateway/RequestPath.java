package dev.tessera.gateway;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The path a rule is matched against. Gateways hand over the path as the client wrote it
 * (nginx's {@code $request_uri}, Traefik's and Caddy's {@code X-Forwarded-Uri}) while they route on a
 * normalised one; matching the raw form would let {@code /public/..%2Finternal/x} pass a
 * {@code /public/**} rule and reach {@code /internal/x}. So the path is percent-decoded, duplicate
 * slashes merged and dot segments removed (RFC 3986 §5.2.4) before any glob sees it, the way nginx
 * normalises {@code $uri}.
 */
final class RequestPath {
  private RequestPath() {
  }

  /**
   * The canonical path ("" for the root, otherwise "/a/b" without a trailing slash), or null when the
   * path cannot be read safely (bad escapes, control characters, not UTF-8) and must not match anything.
   */
  static String canonical(String raw) {
    if (raw == null) {
      return null;
    }
    int end = raw.length();
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String path = raw.substring(0, end);
    if (path.isEmpty()) {
      return "";
    }
    if (path.charAt(0) != '/') {
      return null;
    }
    if (path.indexOf('%') >= 0) {
      path = decode(path);
      if (path == null) {
        return null;
      }
    }
    StringBuilder out = new StringBuilder(path.length());
    int i = 0;
    while (i < path.length()) {
      int next = path.indexOf('/', i + 1);
      if (next < 0) {
        next = path.length();
      }
      String segment = path.substring(i + 1, next);
      if (segment.equals("..")) {
        int cut = out.lastIndexOf("/");
        out.setLength(Math.max(cut, 0));
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        for (int k = 0; k < segment.length(); k++) {
          char c = segment.charAt(k);
          // Control characters and backslashes (a separator to some servers) make the path ambiguous.
          if (c < 0x20 || c == 0x7f || c == '\\') {
            return null;
          }
        }
        out.append('/').append(segment);
      }
      i = next;
    }
    return out.toString();
  }

  private static String decode(String path) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return null;
        }
        int hi = Character.digit(path.charAt(i + 1), 16);
        int lo = Character.digit(path.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
