package dev.tessera.http;

import dev.tessera.config.TrustedProxies;
import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one place that decides which address a request comes from; back-offs, rate limits and the audit
 * log all use {@link #of}. Only a peer in TESSERA_TRUSTED_PROXIES may speak for someone else: from it
 * the forwarding headers are walked right to left, past hops that are trusted proxies themselves, and
 * the first untrusted hop is the client (every hop left of it could have been written by that client).
 * From any other peer the headers are ignored. {@code Forwarded} (RFC 7239) wins over {@code
 * X-Forwarded-For} when both are present.
 */
final class ClientAddress implements Handler<RoutingContext> {
  private static final String KEY = "tessera.clientAddress";

  private final TrustedProxies trusted;

  ClientAddress(TrustedProxies trusted) {
    this.trusted = trusted;
  }

  /** The request's client address, as decided by the handler mounted first on the router. */
  static String of(RoutingContext ctx) {
    String decided = ctx.get(KEY);
    return decided != null ? decided : peer(ctx);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String peer = peer(ctx.request());
    if (peer != null && !trusted.isEmpty()) {
      ctx.put(KEY, of(ctx.request(), trusted));
    }
    ctx.next();
  }

  /** The same decision for a request that does not go through the router ({@link HotPaths}). */
  static String of(HttpServerRequest request, TrustedProxies trusted) {
    String peer = peer(request);
    if (peer == null || trusted.isEmpty()) {
      return peer;
    }
    var headers = request.headers();
    return resolve(peer, headers.getAll("Forwarded"), headers.getAll("X-Forwarded-For"), trusted);
  }

  private static String peer(RoutingContext ctx) {
    return peer(ctx.request());
  }

  private static String peer(HttpServerRequest request) {
    var remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }

  /**
   * A hop that is not an IP address ({@code unknown}, an obfuscated name, garbage) ends the walk: the
   * last address we could vouch for, a trusted proxy, is the answer. Requests are then attributed to that
   * proxy, which shares its limits among everyone behind it: conservative, and visible in the audit log.
   */
  static String resolve(String peer, List<String> forwarded, List<String> xForwardedFor, TrustedProxies trusted) {
    InetAddress current = NetUtil.createInetAddressFromIpAddressString(peer);
    if (current == null || !trusted.contains(current)) {
      return peer;
    }
    List<String> hops = forwarded.isEmpty() ? elements(xForwardedFor) : forwardedFor(elements(forwarded));
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = node(hops.get(i));
      if (hop == null) {
        break;
      }
      current = hop;
      if (!trusted.contains(hop)) {
        break;
      }
    }
    return NetUtil.toAddressString(current);
  }

  /**
   * Header lines combined in order, split at every comma. A valid node never holds a comma, even quoted
   * (RFC 7239 §6), so this cannot misplace a proxy's own hop; a quote a client opened in its part of the
   * header cannot swallow the hops proxies appended after it.
   */
  private static List<String> elements(List<String> lines) {
    List<String> elements = new ArrayList<>();
    for (String line : lines) {
      for (String element : line.split(",", -1)) {
        elements.add(element.trim());
      }
    }
    return elements;
  }

  /** The {@code for} parameter of each RFC 7239 element, or "" when an element has none. */
  private static List<String> forwardedFor(List<String> elements) {
    List<String> nodes = new ArrayList<>();
    for (String element : elements) {
      String node = "";
      for (String pair : element.split(";")) {
        int eq = pair.indexOf('=');
        if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
          node = unquote(pair.substring(eq + 1).trim());
        }
      }
      nodes.add(node);
    }
    return nodes;
  }

  /** RFC 7230 quoted-string: surrounding quotes removed, backslash escapes resolved. */
  private static String unquote(String value) {
    if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
      return value;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        c = value.charAt(++i);
      }
      out.append(c);
    }
    return out.toString();
  }

  /**
   * An IP literal from a hop: {@code 192.0.2.1}, {@code 192.0.2.1:443}, {@code [2001:db8::1]:443} or a
   * bare IPv6 address (X-Forwarded-For). Anything else is null.
   */
  static InetAddress node(String hop) {
    String host = hop;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = host.substring(1, close);
    } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
      host = host.substring(0, host.indexOf(':'));
    }
    return host.isEmpty() ? null : NetUtil.createInetAddressFromIpAddressString(host);
  }
}
