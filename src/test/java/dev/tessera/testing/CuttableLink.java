package dev.tessera.testing;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP relay the test can cut and heal, to put one node (and only that one) out of reach of a
 * server — e.g. PostgreSQL — while the others still reach it. Cut: every relayed connection is closed and
 * new ones are closed as soon as they are accepted; heal: connections are relayed again.
 */
public final class CuttableLink implements AutoCloseable {
  private final NetServer server;
  private final NetClient client;
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  public CuttableLink(Vertx vertx, String targetHost, int targetPort) {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(inbound -> {
      if (cut) {
        inbound.close();
        return;
      }
      inbound.pause();
      client.connect(targetPort, targetHost).onComplete(connected -> {
        if (connected.failed() || cut) {
          inbound.close();
          if (connected.succeeded()) {
            connected.result().close();
          }
          return;
        }
        NetSocket outbound = connected.result();
        open.add(inbound);
        open.add(outbound);
        inbound.closeHandler(v -> close(outbound, inbound));
        outbound.closeHandler(v -> close(inbound, outbound));
        inbound.pipeTo(outbound);
        outbound.pipeTo(inbound);
        inbound.resume();
      });
    });
    server.listen(0, "127.0.0.1").await();
  }

  /** A relay to the host and port of a {@code postgresql://} URL; {@link #url} gives the relayed URL. */
  public static CuttableLink toDatabase(Vertx vertx, String dbUrl) {
    URI uri = URI.create(dbUrl);
    return new CuttableLink(vertx, uri.getHost(), uri.getPort());
  }

  /** {@code dbUrl} with its host and port replaced by this relay's. */
  public String url(String dbUrl) {
    URI uri = URI.create(dbUrl);
    return dbUrl.replace(uri.getHost() + ":" + uri.getPort(), "127.0.0.1:" + server.actualPort());
  }

  private void close(NetSocket other, NetSocket self) {
    open.remove(self);
    open.remove(other);
    other.close();
  }

  public void cut() {
    cut = true;
    open.forEach(NetSocket::close);
  }

  public void heal() {
    cut = false;
  }

  @Override
  public void close() {
    cut();
    server.close().await();
    client.close().await();
  }
}
