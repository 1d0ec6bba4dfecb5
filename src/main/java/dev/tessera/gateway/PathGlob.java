package dev.tessera.gateway;

import java.util.Arrays;

/**
 * A rule's {@code path}: segments separated by "/", where a segment {@code **} matches any number of
 * segments (none included), {@code *} within a segment matches any characters of that one segment, and
 * everything else matches itself. Compiled once per policy load and matched by walking the canonical
 * path in place: no regular expression and no per-request splitting.
 */
final class PathGlob {
  private static final String ANY_DEPTH = "**";
  /** Each {@code **} multiplies the work of a failed match by the path's depth: two is plenty. */
  private static final int MAX_ANY_DEPTH = 2;

  private final String pattern;
  private final String[] segments;

  private PathGlob(String pattern, String[] segments) {
    this.pattern = pattern;
    this.segments = segments;
  }

  static PathGlob compile(String pattern) {
    if (pattern.isEmpty() || pattern.charAt(0) != '/') {
      throw new IllegalArgumentException("path must start with /, is \"" + pattern + "\"");
    }
    String[] segments = Arrays.stream(pattern.split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
    int anyDepth = 0;
    for (String s : segments) {
      if (s.equals(ANY_DEPTH)) {
        anyDepth++;
      } else if (s.contains(ANY_DEPTH)) {
        throw new IllegalArgumentException("** must be a whole path segment in \"" + pattern + "\"");
      } else if (s.equals(".") || s.equals("..") || s.chars().anyMatch(c -> c < 0x20 || c == '?' || c == '#' || c == '%')) {
        throw new IllegalArgumentException("path \"" + pattern + "\" must be a plain decoded path (no . or .. segments, ?, # or %)");
      }
    }
    if (anyDepth > MAX_ANY_DEPTH) {
      throw new IllegalArgumentException("at most " + MAX_ANY_DEPTH + " ** segments in \"" + pattern + "\"");
    }
    return new PathGlob(pattern, segments);
  }

  /** {@code path} in {@link RequestPath#canonical} form. */
  boolean matches(String path) {
    return match(0, path, 0);
  }

  private boolean match(int segment, String path, int at) {
    if (segment == segments.length) {
      return at == path.length();
    }
    String glob = segments[segment];
    if (glob.equals(ANY_DEPTH)) {
      int position = at;
      while (true) {
        if (match(segment + 1, path, position)) {
          return true;
        }
        if (position == path.length()) {
          return false;
        }
        int next = path.indexOf('/', position + 1);
        position = next < 0 ? path.length() : next;
      }
    }
    if (at == path.length()) {
      return false;
    }
    int end = path.indexOf('/', at + 1);
    if (end < 0) {
      end = path.length();
    }
    return wildcard(glob, 0, path, at + 1, end) && match(segment + 1, path, end);
  }

  /** Glob {@code glob[g..]} against {@code text[t..end)}, where "*" is any run of characters. */
  private static boolean wildcard(String glob, int g, String text, int t, int end) {
    while (g < glob.length()) {
      char c = glob.charAt(g);
      if (c == '*') {
        for (int k = end; k >= t; k--) {
          if (wildcard(glob, g + 1, text, k, end)) {
            return true;
          }
        }
        return false;
      }
      if (t == end || text.charAt(t) != c) {
        return false;
      }
      g++;
      t++;
    }
    return t == end;
  }

  @Override
  public String toString() {
    return pattern;
  }
}
