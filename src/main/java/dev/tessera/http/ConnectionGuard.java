package dev.tessera.http;

import dev.tessera.auth.AddressShares;
import dev.tessera.config.TesseraConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits HTTP connections at accept time within bounds ({@code TESSERA_MAX_CONNECTIONS} in total,
 * {@code TESSERA_MAX_CONNECTIONS_PER_ADDRESS} from one address; the rest are closed at once) and puts
 * each admitted one on the {@link RequestDeadline} from its first byte, so stalled clients can neither
 * hold connections for ever nor crowd out real traffic.
 *
 * <p>It sits on the listening socket's Netty pipeline, where the accepted channels pass: Vert.x's own
 * connection handler comes too late, because with cleartext HTTP/2 on (Envoy's gRPC ext_authz needs it)
 * a connection is handed over only once its first request head is complete — after a slowloris has won.
 * Vert.x offers no public accept hook, so the listening channel is reached through its fields; if a
 * Vert.x upgrade moves them, start-up logs it and the deadline still covers every request after the first.
 */
@ChannelHandler.Sharable
final class ConnectionGuard extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final String NAME = "tesseraConnectionGuard";

  private final long deadlineNanos;
  private final int maxOpen;
  private final AtomicInteger open = new AtomicInteger();
  private final AddressShares perAddress;
  private volatile boolean refusing;

  private ConnectionGuard(TesseraConfig config) {
    this.deadlineNanos = config.requestDeadline().toNanos();
    this.maxOpen = config.maxConnections();
    this.perAddress = new AddressShares(config.maxConnectionsPerAddress());
  }

  /** Guards the listening socket of {@code server} (once, however many verticles share it); empty if unreachable. */
  static Optional<ConnectionGuard> install(HttpServer server, TesseraConfig config) {
    Optional<Channel> listening = listeningChannel(server);
    if (listening.isEmpty()) {
      log.warn("cannot reach the HTTP server's listening socket (Vert.x internals changed): connection bounds are off "
          + "and the request deadline starts only once a connection's first request head has arrived");
      return Optional.empty();
    }
    synchronized (listening.get()) {
      if (listening.get().pipeline().get(NAME) == null) {
        listening.get().pipeline().addFirst(NAME, new ConnectionGuard(config));
      }
      return Optional.of((ConnectionGuard) listening.get().pipeline().get(NAME));
    }
  }

  /**
   * Shutting down (readiness is already off): new connections are closed at once, instead of reaching
   * a server whose handlers are going away (Netty then logs "Failed to register an accepted channel").
   */
  void refuseNew() {
    refusing = true;
  }

  /** Accepted connections arrive here as channels, before Vert.x sets up their pipelines. */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Channel child) {
      String address = child.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
      if (refusing || !admit(address)) {
        // Not yet registered with an event loop: closed here, as Netty's own acceptor does on failure.
        child.unsafe().closeForcibly();
        return;
      }
      child.closeFuture().addListener(f -> release(address));
      RequestDeadline.onAccept(child.pipeline(), deadlineNanos);
    }
    ctx.fireChannelRead(msg);
  }

  private boolean admit(String address) {
    if (open.incrementAndGet() > maxOpen) {
      open.decrementAndGet();
      return false;
    }
    if (!perAddress.tryTake(address)) {
      open.decrementAndGet();
      return false;
    }
    return true;
  }

  private void release(String address) {
    open.decrementAndGet();
    perAddress.giveBack(address);
  }

  private static Optional<Channel> listeningChannel(HttpServer server) {
    try {
      Object tcpServer = field(server, "tcpServer");
      Object actualServer = field(tcpServer, "actualServer");
      Object bound = ((Future<?>) field(actualServer, "bindFuture")).result();
      return bound instanceof Channel channel ? Optional.of(channel) : Optional.empty();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Object field(Object target, String name) throws ReflectiveOperationException {
    for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(target);
      } catch (NoSuchFieldException e) {
        // Declared further up.
      }
    }
    throw new NoSuchFieldException(name);
  }
}
