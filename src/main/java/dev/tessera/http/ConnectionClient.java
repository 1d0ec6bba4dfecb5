package dev.tessera.http;

import dev.tessera.auth.ClientAuthenticator;
import dev.tessera.domain.Client;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Per connection, the {@code Authorization} header that last authenticated a client on it, and that client.
 * A resource server or gateway keeps its connection open and sends the same header with every introspection;
 * from the second request on, comparing the header (constant time) replaces decoding it, hashing the secret
 * and two cache reads — about a sixth of a cache-hit introspection.
 *
 * <p>The memory vouches only while no client has changed since it was made: any change to any client (secret
 * rotated, disabled, deleted; here or, through the eviction broadcast, on another node) bumps the node's
 * change count, and the next request on every connection authenticates the full way again. Changes are
 * rare; comparing a counter is cheaper than looking the client up on every request. A change the node never
 * hears of (a direct database edit) is bounded as the client cache bounds it: the memory lasts one
 * {@link ClientAuthenticator#CLIENT_TTL} and may have been made from a copy up to one TTL old, so such a
 * change ends the recognition within two.
 */
final class ConnectionClient {
  private static final AttributeKey<Remembered> KEY = AttributeKey.valueOf(ConnectionClient.class, "client");

  private static final long TRUSTED_FOR_NANOS = ClientAuthenticator.CLIENT_TTL.toNanos();

  private final ClientAuthenticator clients;

  ConnectionClient(ClientAuthenticator clients) {
    this.clients = clients;
  }

  private record Remembered(byte[] authorization, Client client, long changeCount, long rememberedAtNanos) {
  }

  /** The client this connection's identical {@code authorization} header authenticated as, or null. */
  Client recall(HttpServerRequest request, String authorization) {
    ConnectionBase connection = connection(request);
    if (connection == null) {
      return null;
    }
    Remembered remembered = connection.channel().attr(KEY).get();
    if (remembered == null || remembered.changeCount() != clients.changeCount()
        || System.nanoTime() - remembered.rememberedAtNanos() >= TRUSTED_FOR_NANOS) {
      return null;
    }
    return MessageDigest.isEqual(remembered.authorization(), authorization.getBytes(StandardCharsets.ISO_8859_1))
        ? remembered.client() : null;
  }

  /** After {@code authorization} authenticated {@code client} the full way. */
  void remember(HttpServerRequest request, String authorization, Client client, long changeCountBefore) {
    ConnectionBase connection = connection(request);
    if (connection != null) {
      connection.channel().attr(KEY).set(new Remembered(authorization.getBytes(StandardCharsets.ISO_8859_1), client,
          changeCountBefore, System.nanoTime()));
    }
  }

  private static ConnectionBase connection(HttpServerRequest request) {
    return request.connection() instanceof ConnectionBase base ? base : null;
  }
}
