package dev.tessera.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A request's head and body must have fully arrived within the deadline of its first byte (or of the
 * connection's opening), or the connection is answered 408 and closed. The idle timeout is no defence
 * against a slowloris: it restarts on every byte, so one byte every 29 s held a connection forever.
 *
 * <p>Two Netty handlers share the state: one at the front of the pipeline, added when the connection is
 * accepted, sees bytes arrive (a request starts); one after the HTTP/1.x decoder, added when Vert.x sets
 * the connection up, sees the decoded {@link LastHttpContent} (the request is complete). Both run on the
 * connection's event loop. Per request the cost is a clock read; the timer is armed at most once
 * per deadline and re-armed lazily for the remaining time, as Netty's IdleStateHandler does.
 */
final class RequestDeadline {
  private static final byte[] TIMEOUT = ("HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      .getBytes(StandardCharsets.US_ASCII);
  /** Vert.x's name for the HTTP/1.x decoder in every server pipeline it builds. */
  static final String DECODER = "httpDecoder";
  private static final String START = "tesseraRequestStart";
  private static final String END = "tesseraRequestEnd";

  private final long deadlineNanos;
  private ChannelHandlerContext head;
  private ScheduledFuture<?> check;
  // A new connection's first request is already on the clock: connecting and sending nothing is a stall too.
  private boolean receiving = true;
  private long startedAt = System.nanoTime();

  private RequestDeadline(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /** At accept (see {@link ConnectionGuard}): the clock starts with the connection, before Vert.x's handlers. */
  static void onAccept(ChannelPipeline pipeline, long deadlineNanos) {
    pipeline.addFirst(START, new RequestDeadline(deadlineNanos).new Start());
  }

  /**
   * Vert.x's connection handler: the HTTP/1.x decoder exists now, so the end of each request can be seen.
   * HTTP/2 connections (no decoder by that name) are left to HTTP/2's own flow control.
   */
  static Handler<HttpConnection> onConnection(long deadlineNanos) {
    return connection -> {
      if (!(connection instanceof ConnectionBase base)) {
        return;
      }
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(DECODER) == null || pipeline.get(END) != null) {
        return;
      }
      ChannelHandler start = pipeline.get(START);
      // Without the accept hook the clock starts here, which still covers every later request.
      RequestDeadline deadline = start != null ? ((Start) start).deadline() : new RequestDeadline(deadlineNanos);
      if (start == null) {
        pipeline.addBefore(DECODER, START, deadline.new Start());
      }
      pipeline.addAfter(DECODER, END, deadline.new End());
    };
  }

  private void arm(long delayNanos) {
    check = head.executor().schedule(this::expire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void expire() {
    check = null;
    if (!receiving || !head.channel().isActive() || upgraded()) {
      return;
    }
    long left = startedAt + deadlineNanos - System.nanoTime();
    if (left > 0) {
      arm(left);
      return;
    }
    // Written below the HTTP encoder (no request object exists while the head is incomplete) but above
    // TLS, if any; before the HTTP/1.x pipeline is set up there is nobody to answer, only a connection to close.
    ChannelHandlerContext decoder = head.pipeline().context(DECODER);
    if (decoder == null) {
      head.close();
      return;
    }
    decoder.writeAndFlush(Unpooled.wrappedBuffer(TIMEOUT)).addListener(ChannelFutureListener.CLOSE);
  }

  /** HTTP/2 (prior knowledge) or a WebSocket: no HTTP/1.x decoder any more, and no request deadline. */
  private boolean upgraded() {
    return head.pipeline().get(DECODER) == null && head.pipeline().get("handler") != null;
  }

  private void disarm() {
    if (check != null) {
      check.cancel(false);
      check = null;
    }
  }

  /** Before the decoder: any bytes while idle start the next request's clock. */
  private final class Start extends ChannelInboundHandlerAdapter {
    RequestDeadline deadline() {
      return RequestDeadline.this;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      head = ctx;
      arm(deadlineNanos);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!receiving) {
        receiving = true;
        startedAt = System.nanoTime();
        if (check == null) {
          arm(deadlineNanos);
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disarm();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      disarm();
    }
  }

  /** After the decoder: the request's last content has arrived, so its clock stops. */
  private final class End extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof LastHttpContent) {
        receiving = false;
      }
      ctx.fireChannelRead(msg);
    }
  }
}
