package dev.tessera.gateway;

import dev.tessera.domain.Scopes;
import dev.tessera.token.CachedToken;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * The answer to "may this request through?", for every door alike. {@code token} is the caller's
 * verified access token on an allow (null for an anonymous allow); {@code maxAgeSeconds} is how long a
 * gateway may reuse an allow (DESIGN.md §5.5).
 */
public record Decision(Outcome outcome, Access policy, CachedToken token, Scopes required, long maxAgeSeconds) {

  public enum Outcome {
    /** 200, with the identity headers. */
    ALLOW("allow"),
    /** 401 with a bare challenge: no credentials (RFC 6750 §3.1). */
    NO_TOKEN("unauthenticated"),
    /** 401 invalid_token: malformed, unknown, expired, revoked, or not a bearer token. */
    INVALID_TOKEN("unauthenticated"),
    /** 403 insufficient_scope: a valid token without every required scope. */
    INSUFFICIENT_SCOPE("forbidden"),
    /** 403: the route policy refuses this route to everyone. */
    DENIED("forbidden"),
    /** 503: this node cannot vouch for the token now (fail closed). */
    UNAVAILABLE("unavailable");

    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    /** The {@code result} label of tessera_policy_decisions_total. */
    public String label() {
      return label;
    }
  }

  public static final String SUBJECT = "X-Auth-Subject";
  public static final String USERNAME = "X-Auth-Username";
  public static final String CLIENT_ID = "X-Auth-Client-Id";
  public static final String SCOPE = "X-Auth-Scope";

  /**
   * All four identity headers, each present even when empty: gateways that copy them onto the upstream
   * request then always overwrite whatever a client sent under the same names (Caddy, for one, would
   * otherwise forward its own placeholder text or the client's value).
   */
  public void identity(BiConsumer<String, String> header) {
    CachedToken t = token;
    header.accept(SUBJECT, t == null ? "" : t.subject());
    header.accept(USERNAME, t == null || t.username() == null ? "" : headerValue(t.username()));
    header.accept(CLIENT_ID, t == null ? "" : t.clientId());
    header.accept(SCOPE, t == null ? "" : t.scopes().toString());
  }

  /**
   * HTTP/1.1 header values are Latin-1 at best: a username such as "李雷@example.com" would reach the
   * API as "??@example.com", and two users could look alike. Anything outside printable ASCII (and
   * "%" itself) is therefore sent percent-encoded as UTF-8 (RFC 3986 §2.1); plain ASCII usernames,
   * e-mail addresses included, pass unchanged.
   */
  public static String headerValue(String value) {
    boolean plain = value.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '%');
    if (plain) {
      return value;
    }
    StringBuilder encoded = new StringBuilder(value.length() * 3);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }
}
