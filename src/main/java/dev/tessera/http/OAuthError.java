package dev.tessera.http;

import io.vertx.core.json.JsonObject;

import java.time.Duration;

/**
 * An RFC 6749 §5.2 error response, raised anywhere in an OAuth handler and written in one place
 * ({@link OAuthRoutes}'s failure handler). Descriptions are ours, never echoes of request input.
 */
public final class OAuthError extends RuntimeException {
  private final int status;
  private final String error;
  private final String retryAfterSeconds;

  private OAuthError(int status, String error, String description, String retryAfterSeconds) {
    super(description, null, false, false);
    this.status = status;
    this.error = error;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static OAuthError invalidRequest(String description) {
    return new OAuthError(400, "invalid_request", description, null);
  }

  /** 401 with {@code WWW-Authenticate: Basic} (RFC 6749 §5.2), whatever method the client tried. */
  public static OAuthError invalidClient(String description) {
    return new OAuthError(401, "invalid_client", description, null);
  }

  public static OAuthError invalidGrant(String description) {
    return new OAuthError(400, "invalid_grant", description, null);
  }

  public static OAuthError unauthorizedClient(String description) {
    return new OAuthError(400, "unauthorized_client", description, null);
  }

  public static OAuthError unsupportedGrantType(String description) {
    return new OAuthError(400, "unsupported_grant_type", description, null);
  }

  public static OAuthError invalidScope(String description) {
    return new OAuthError(400, "invalid_scope", description, null);
  }

  /** Failed sign-ins backing off: the client is told when to try again instead of being left hanging. */
  public static OAuthError throttled(Duration wait) {
    long retryAfterSeconds = wholeSeconds(wait);
    return new OAuthError(429, "invalid_grant",
        "too many failed attempts; retry after " + retryAfterSeconds + " s", Long.toString(retryAfterSeconds));
  }

  /**
   * Client authentication backing off (RFC 6749 §5.2 has no throttling error; {@code slow_down} is the
   * device grant's): still {@code invalid_client} with 401, and Retry-After says when to try again.
   */
  public static OAuthError clientThrottled(Duration wait) {
    long retryAfterSeconds = wholeSeconds(wait);
    return new OAuthError(401, "invalid_client",
        "too many failed client authentications; retry after " + retryAfterSeconds + " s", Long.toString(retryAfterSeconds));
  }

  /** The client exceeded its token-endpoint rate (TESSERA_TOKEN_RATE_PER_CLIENT). */
  public static OAuthError rateLimited(Duration wait) {
    long retryAfterSeconds = wholeSeconds(wait);
    return new OAuthError(429, "temporarily_unavailable",
        "too many token requests from this client; retry after " + retryAfterSeconds + " s", Long.toString(retryAfterSeconds));
  }

  /** The caller's address already has its share of the password-hashing pool in use ({@code AddressBusy}). */
  public static OAuthError addressBusy() {
    return new OAuthError(429, "temporarily_unavailable",
        "too many sign-ins under way from this address; retry after 1 s", "1");
  }

  /** Retry-After is whole seconds: round up, and never tell a client to retry at once. */
  private static long wholeSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  public static OAuthError temporarilyUnavailable(String description, long retryAfterSeconds) {
    return new OAuthError(503, "temporarily_unavailable", description, Long.toString(retryAfterSeconds));
  }

  public static OAuthError serverError() {
    return new OAuthError(500, "server_error", "internal error", null);
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public String retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public JsonObject toJson() {
    return new JsonObject().put("error", error).put("error_description", getMessage());
  }
}
