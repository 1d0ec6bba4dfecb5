package dev.tessera.domain;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Redirect URI rules of the authorization code grant (RFC 6749 §3.1.2, RFC 8252, RFC 9700 §4.1).
 * A requested URI must equal a registered one string for string — no prefix, pattern or
 * normalisation, because every loosening has been an open redirect somewhere. Two exceptions:
 * a registered path such as {@code /admin/} means that path on this server's issuer, and an
 * RFC 8252 §7.3 loopback IP redirect matches on any port, since a native app gets whatever port
 * the operating system hands it.
 */
public final class RedirectUri {
  private static final int MAX_LENGTH = 2000;
  private static final Set<String> LOOPBACK_IPS = Set.of("127.0.0.1", "[::1]");

  private RedirectUri() {
  }

  /** Why {@code candidate} may not be registered, or empty when it may. */
  public static Optional<String> registrationProblem(String candidate) {
    if (candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
      return Optional.of("must be 1 to " + MAX_LENGTH + " characters");
    }
    if (candidate.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      return Optional.of("must not contain spaces or control characters");
    }
    if (candidate.contains("#")) {
      return Optional.of("must not contain a fragment (RFC 6749 §3.1.2)");
    }
    if (candidate.contains("*")) {
      return Optional.of("must not contain wildcards: redirect URIs are compared exactly");
    }
    if (candidate.startsWith("/")) {
      return candidate.startsWith("//") ? Optional.of("a path must start with a single /") : Optional.empty();
    }
    URI uri;
    try {
      uri = new URI(candidate);
    } catch (URISyntaxException e) {
      return Optional.of("is not a valid URI");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "https" -> uri.getHost() == null || uri.getRawUserInfo() != null
          ? Optional.of("an https URI needs a host and no user information") : Optional.empty();
      case "http" -> isLoopbackHost(uri.getHost()) && uri.getRawUserInfo() == null ? Optional.empty()
          : Optional.of("plain http is allowed only for loopback (127.0.0.1, [::1], localhost); use https");
      case "" -> Optional.of("must be an absolute URI or a path starting with /");
      // RFC 8252 §7.1: private-use schemes are reverse domain names, which keeps out javascript:, data: and file:.
      default -> scheme.contains(".") ? Optional.empty()
          : Optional.of("a private-use scheme must be a reverse domain name such as com.example.app");
    };
  }

  /** Whether {@code requested} is one of {@code registered}, under the rules above. */
  public static boolean matches(List<String> registered, String requested, String issuer) {
    for (String r : registered) {
      String absolute = r.startsWith("/") ? issuer + r : r;
      if (absolute.equals(requested) || loopbackOnAnyPort(absolute, requested)) {
        return true;
      }
    }
    return false;
  }

  private static boolean loopbackOnAnyPort(String registered, String requested) {
    if (!registered.startsWith("http://") || !requested.startsWith("http://") || requested.contains("#")) {
      return false;
    }
    try {
      URI r = new URI(registered);
      URI q = new URI(requested);
      return r.getHost() != null && LOOPBACK_IPS.contains(r.getHost()) && r.getHost().equals(q.getHost())
          && q.getRawUserInfo() == null
          && r.getRawPath().equals(q.getRawPath())
          && java.util.Objects.equals(r.getRawQuery(), q.getRawQuery());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static boolean isLoopbackHost(String host) {
    return host != null && (LOOPBACK_IPS.contains(host) || host.equalsIgnoreCase("localhost"));
  }
}
