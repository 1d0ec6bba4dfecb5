package dev.tessera.http;

import dev.tessera.auth.ClientCredentials;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads how a client identifies itself: {@code client_secret_basic} (RFC 6749 §2.3.1), {@code
 * client_secret_post}, or a bare {@code client_id} for public clients. Using two methods at once is an
 * error (§2.3).
 */
final class ClientCredentialsReader {
  private ClientCredentialsReader() {
  }

  static ClientCredentials read(RoutingContext ctx, OAuthForm form) {
    return read(ctx.request(), form);
  }

  static ClientCredentials read(HttpServerRequest request, OAuthForm form) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    Optional<String> formId = form.optional("client_id");
    Optional<String> formSecret = form.optional("client_secret");
    if (authorization != null) {
      if (formSecret.isPresent()) {
        throw OAuthError.invalidRequest("use one client authentication method, not several");
      }
      ClientCredentials basic = basic(authorization);
      if (formId.isPresent() && !formId.get().equals(basic.clientId())) {
        throw OAuthError.invalidRequest("client_id does not match the Authorization header");
      }
      return basic;
    }
    String clientId = formId.orElseThrow(() -> OAuthError.invalidClient("client authentication required"));
    return formSecret.map(secret -> ClientCredentials.withSecret(clientId, secret))
        .orElseGet(() -> ClientCredentials.publicClient(clientId));
  }

  /**
   * RFC 6749 §2.3.1 says id and secret are form-urlencoded before Basic encoding; many clients skip
   * that step. The encoded reading is tried first and the raw one kept as an alternative.
   */
  static ClientCredentials basic(String header) {
    if (header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw OAuthError.invalidClient("unsupported Authorization scheme; use Basic");
    }
    String decoded;
    try {
      byte[] bytes = Base64.getDecoder().decode(header.substring(6).trim());
      decoded = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw OAuthError.invalidClient("malformed Basic credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw OAuthError.invalidClient("malformed Basic credentials");
    }
    String rawId = decoded.substring(0, colon);
    String rawSecret = decoded.substring(colon + 1);
    Optional<ClientCredentials> formDecoded = formDecode(rawId, rawSecret);
    ClientCredentials raw = ClientCredentials.withSecret(rawId, rawSecret);
    if (formDecoded.isEmpty()) {
      return raw;
    }
    ClientCredentials primary = formDecoded.get();
    boolean same = primary.clientId().equals(rawId) && primary.secret().orElseThrow().equals(rawSecret);
    return same ? primary : new ClientCredentials(primary.clientId(), primary.secret(), List.of(raw));
  }

  private static Optional<ClientCredentials> formDecode(String id, String secret) {
    try {
      return Optional.of(ClientCredentials.withSecret(URLDecoder.decode(id, StandardCharsets.UTF_8),
          URLDecoder.decode(secret, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException malformedPercentEncoding) {
      return Optional.empty();
    }
  }
}
