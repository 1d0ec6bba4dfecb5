package dev.tessera.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.tessera.token.CachedToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * The RFC 7662 §2.2 answers. The active answer is the hottest response Tessera writes, so it is written
 * straight into the bytes that go out: no JsonObject, no intermediate String to encode and copy again.
 * A value that needs no escaping (the usual case: ids, scopes, names) is copied as ASCII; any other value
 * goes through Jackson's escaper. The issuer is the node's and never changes, so its member and the closing
 * brace are encoded once, when the node starts. The inactive answer is one shared buffer.
 */
public final class IntrospectionResponse {
  /** Exactly {@code {"active":false}}: nothing about why, so an inactive answer reveals nothing. */
  public static final Buffer INACTIVE = new JsonObject().put("active", false).toBuffer();

  private static final JsonStringEncoder ESCAPER = JsonStringEncoder.getInstance();
  private static final byte[] SCOPE = ascii("{\"active\":true,\"scope\":");
  private static final byte[] CLIENT_ID = ascii(",\"client_id\":");
  private static final byte[] USERNAME = ascii(",\"username\":");
  private static final byte[] SUB = ascii(",\"sub\":");
  private static final byte[] EXP = ascii(",\"token_type\":\"Bearer\",\"exp\":");
  private static final byte[] IAT = ascii(",\"iat\":");
  private static final byte[] JTI = ascii(",\"jti\":");
  /** Fits a typical answer (about 270 bytes) without growing; a longer one grows the buffer. */
  private static final int EXPECTED_SIZE = 384;

  /** {@code ,"iss":"<issuer>"}} — the end of every active answer of this node. */
  private final byte[] issuerAndEnd;

  public IntrospectionResponse(String issuer) {
    ByteBuf end = Unpooled.buffer();
    end.writeBytes(ascii(",\"iss\":"));
    string(end, issuer);
    end.writeByte('}');
    issuerAndEnd = ByteBufUtil.getBytes(end);
  }

  public Buffer active(CachedToken t) {
    ByteBuf json = Unpooled.buffer(EXPECTED_SIZE);
    json.writeBytes(SCOPE);
    string(json, t.scopes().toString());
    json.writeBytes(CLIENT_ID);
    string(json, t.clientId());
    if (t.username() != null) {
      json.writeBytes(USERNAME);
      string(json, t.username());
    }
    json.writeBytes(SUB);
    string(json, t.subject());
    json.writeBytes(EXP);
    ByteBufUtil.writeAscii(json, Long.toString(t.expiresAt()));
    json.writeBytes(IAT);
    ByteBufUtil.writeAscii(json, Long.toString(t.issuedAt()));
    json.writeBytes(JTI);
    string(json, t.id().toString());
    json.writeBytes(issuerAndEnd);
    return BufferInternal.buffer(json);
  }

  private static void string(ByteBuf json, String value) {
    json.writeByte('"');
    if (isPlain(value)) {
      ByteBufUtil.writeAscii(json, value);
    } else {
      json.writeBytes(ESCAPER.quoteAsUTF8(value));
    }
    json.writeByte('"');
  }

  /** Printable ASCII other than the two characters JSON escapes inside a string. */
  private static boolean isPlain(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
