package dev.tessera.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tessera.token.CachedToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The RFC 7662 §2.2 answers. This is the hottest response Tessera writes, so the active answer is
 * written straight into a string with Jackson's escaper instead of building a JsonObject per request;
 * the inactive answer is one shared buffer.
 */
public final class IntrospectionResponse {
  /** Exactly {@code {"active":false}}: nothing about why, so an inactive answer reveals nothing. */
  public static final Buffer INACTIVE = new JsonObject().put("active", false).toBuffer();

  private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();

  private IntrospectionResponse() {
  }

  public static Buffer active(CachedToken t, String issuer) {
    StringBuilder json = new StringBuilder(320);
    json.append("{\"active\":true,\"scope\":");
    string(json, t.scopes().toString());
    json.append(",\"client_id\":");
    string(json, t.clientId());
    if (t.username() != null) {
      json.append(",\"username\":");
      string(json, t.username());
    }
    json.append(",\"sub\":");
    string(json, t.subject());
    json.append(",\"token_type\":\"Bearer\",\"exp\":").append(t.expiresAt())
        .append(",\"iat\":").append(t.issuedAt())
        .append(",\"jti\":\"").append(t.id()).append('"')
        .append(",\"iss\":");
    string(json, issuer);
    return Buffer.buffer(json.append('}').toString());
  }

  private static void string(StringBuilder json, String value) {
    json.append('"');
    ESCAPER.quoteAsString(value, json);
    json.append('"');
  }
}
