package dev.tessera.gateway;

import dev.tessera.domain.Scopes;

import java.util.Set;

/**
 * One rule of a route policy. A null matcher matches anything. {@code name} identifies the rule in logs
 * and error messages ("rule 3 (POST api.example.com /orders/**)"), never in metric labels.
 */
record PolicyRule(String name, Access access, Scopes scopes, Set<String> methods, String host, PathGlob path) {

  boolean matches(OriginalRequest request, PathHolder canonical) {
    if (methods != null) {
      String method = request.method();
      if (method == null || !methods.contains(method)) {
        return false;
      }
    }
    if (host != null && !hostMatches(request.host())) {
      return false;
    }
    if (path != null) {
      String p = canonical.get(request);
      return p != null && path.matches(p);
    }
    return true;
  }

  /** {@code *.example.com} matches any name under example.com; anything else matches exactly. */
  private boolean hostMatches(String requestHost) {
    if (requestHost == null) {
      return false;
    }
    if (host.startsWith("*.")) {
      return requestHost.length() > host.length() - 1 && requestHost.endsWith(host.substring(1));
    }
    return requestHost.equals(host);
  }

  /** The canonical path, computed at most once per decision, and only if a rule needs it. */
  static final class PathHolder {
    private boolean done;
    private String value;

    String get(OriginalRequest request) {
      if (!done) {
        value = RequestPath.canonical(request.rawPath());
        done = true;
      }
      return value;
    }
  }
}
