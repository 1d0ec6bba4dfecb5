package dev.tessera.http;

import dev.tessera.gateway.OriginalRequest;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;

import java.util.Locale;

/**
 * How each gateway convention names the request it is asking about (DESIGN.md §8). Values are read
 * only when a route rule asks for them.
 */
final class OriginalRequests {
  private OriginalRequests() {
  }

  /**
   * {@code GET /auth/verify}: Traefik ForwardAuth and Caddy {@code forward_auth} send
   * {@code X-Forwarded-Method}/{@code -Host}/{@code -Uri}; nginx {@code auth_request} and ingress-nginx
   * send {@code X-Original-Method} with {@code X-Original-URI} (the path) or {@code X-Original-URL}
   * (the whole URL). The verify request's own Host names Tessera, not the API, so it is never used.
   */
  static OriginalRequest forwarded(HttpServerRequest request) {
    return new OriginalRequest() {
      @Override
      public String method() {
        String m = request.getHeader("X-Forwarded-Method");
        return upper(m != null ? m : request.getHeader("X-Original-Method"));
      }

      @Override
      public String host() {
        String h = request.getHeader("X-Forwarded-Host");
        if (h == null) {
          String url = request.getHeader("X-Original-URL");
          h = url == null ? null : urlAuthority(url);
        }
        return hostName(h);
      }

      @Override
      public String rawPath() {
        String uri = request.getHeader("X-Forwarded-Uri");
        if (uri == null) {
          uri = request.getHeader("X-Original-URI");
        }
        if (uri == null) {
          String url = request.getHeader("X-Original-URL");
          uri = url == null ? null : urlPath(url);
        }
        return uri;
      }
    };
  }

  /**
   * {@code /auth/verify/<original path>}, any method: Envoy's HTTP ext_authz (and Istio's
   * {@code envoyExtAuthzHttp}, Gateway API {@code ExternalAuth}) keeps the original method, appends the
   * original path and query to its path prefix and passes the original Host.
   */
  static OriginalRequest prefixed(HttpServerRequest request, int prefixLength) {
    return new OriginalRequest() {
      @Override
      public String method() {
        return request.method().name();
      }

      @Override
      public String host() {
        HostAndPort authority = request.authority();
        return authority == null ? null : hostName(authority.host());
      }

      @Override
      public String rawPath() {
        return request.uri().substring(prefixLength);
      }
    };
  }

  private static String upper(String method) {
    return method == null ? null : method.trim().toUpperCase(Locale.ROOT);
  }

  /** The first host of a possibly comma-separated list, lower-case, without port. */
  static String hostName(String value) {
    if (value == null) {
      return null;
    }
    String h = value;
    int comma = h.indexOf(',');
    if (comma >= 0) {
      h = h.substring(0, comma);
    }
    h = h.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? h : h.substring(0, close + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static String urlAuthority(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int slash = url.indexOf('/', scheme + 3);
    String authority = url.substring(scheme + 3, slash < 0 ? url.length() : slash);
    return authority.substring(authority.lastIndexOf('@') + 1);
  }

  private static String urlPath(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return url;
    }
    int slash = url.indexOf('/', scheme + 3);
    return slash < 0 ? "/" : url.substring(slash);
  }
}
