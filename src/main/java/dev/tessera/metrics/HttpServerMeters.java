package dev.tessera.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Vert.x HTTP server series the dashboard and operators read ({@code vertx_http_server_requests_total},
 * {@code …_response_time_seconds}, {@code …_active_requests}, {@code …_active_connections},
 * {@code …_bytes_read_total}, {@code …_bytes_written_total}; labels {@code method}, {@code code}), with the
 * names and labels vertx-micrometer-metrics gives them, recorded for a fraction of its cost.
 *
 * <p>vertx-micrometer-metrics resolves four meters from tag lists on every request (a registry lookup each,
 * plus a gauge registration check), about 6 % of the event loop on a cache-hit introspection
 * (bench/README.md, "Where the time went"). Here every (method, status) pair's counter and timer is created
 * once and then found by array index. The request and response size summaries are left out: nothing reads
 * them, and they were two more lookups per request.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Void, Void> {
  /** Methods get their own label value; anything else is counted as {@code OTHER}, so the label stays bounded. */
  private static final List<HttpMethod> METHODS = List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.HEAD, HttpMethod.OPTIONS);
  private static final int OTHER = METHODS.size();
  /** Every three-digit status has its slot; anything else (none is sent) shares slot 0, labelled "0". */
  private static final int STATUSES = 1000;

  private final MeterRegistry registry;
  private final AtomicReferenceArray<Meters> byMethodAndStatus = new AtomicReferenceArray<>((OTHER + 1) * STATUSES);
  private final LongAdder activeRequests = new LongAdder();
  private final LongAdder activeConnections = new LongAdder();
  private final Counter bytesRead;
  private final Counter bytesWritten;
  private final Counter resets;

  HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
    // Every HTTP server of the process shares these series, as with vertx-micrometer-metrics' defaults
    // (no local-address label): register once, or the second server's builder would be refused.
    Gauge.builder("vertx.http.server.active.requests", activeRequests, LongAdder::doubleValue)
        .description("Number of requests being processed").register(registry);
    Gauge.builder("vertx.http.server.active.connections", activeConnections, LongAdder::doubleValue)
        .description("Number of opened connections to the HTTP Server").register(registry);
    bytesRead = Counter.builder("vertx.http.server.bytes.read").description("Number of bytes received by the server")
        .register(registry);
    bytesWritten = Counter.builder("vertx.http.server.bytes.written").description("Number of bytes sent by the server")
        .register(registry);
    resets = Counter.builder("vertx.http.server.request.resets").description("Number of request resets")
        .register(registry);
  }

  /** What a request carries from its first byte to its answer: which method, and when it began. */
  static final class Request {
    final int method;
    final long startedNanos;
    boolean ended;

    Request(int method, long startedNanos) {
      this.method = method;
      this.startedNanos = startedNanos;
    }
  }

  private record Meters(Counter requests, Timer responseTime) {
  }

  @Override
  public Request requestBegin(Void socket, HttpRequest request) {
    activeRequests.increment();
    int method = METHODS.indexOf(request.method());
    return new Request(method < 0 ? OTHER : method, System.nanoTime());
  }

  @Override
  public void requestReset(Request request) {
    resets.increment();
    if (request != null) {
      finish(request);
    }
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytes) {
    // Null for an answer no request began (an HTTP/2 push: Tessera never pushes, but the SPI allows it).
    if (request == null) {
      return;
    }
    Meters meters = meters(request.method, response.statusCode());
    meters.requests().increment();
    meters.responseTime().record(System.nanoTime() - request.startedNanos, TimeUnit.NANOSECONDS);
    finish(request);
  }

  private void finish(Request request) {
    if (!request.ended) {
      request.ended = true;
      activeRequests.decrement();
    }
  }

  private Meters meters(int method, int status) {
    int code = status >= 100 && status < STATUSES ? status : 0;
    int index = method * STATUSES + code;
    Meters meters = byMethodAndStatus.get(index);
    if (meters == null) {
      String methodLabel = method == OTHER ? "OTHER" : METHODS.get(method).name();
      // From the slot, not the status: two out-of-range statuses share a slot and must share its label.
      String codeLabel = String.valueOf(code);
      // Builders return the registered meter when it exists, so a lost race only costs a lookup.
      meters = new Meters(
          Counter.builder("vertx.http.server.requests").description("Number of processed requests")
              .tags("method", methodLabel, "code", codeLabel).register(registry),
          Timer.builder("vertx.http.server.response.time").description("Request processing time")
              .tags("method", methodLabel, "code", codeLabel).register(registry));
      byMethodAndStatus.set(index, meters);
    }
    return meters;
  }

  @Override
  public Void connected(SocketAddress remoteAddress, String remoteName) {
    activeConnections.increment();
    return null;
  }

  @Override
  public void disconnected(Void socket, SocketAddress remoteAddress) {
    activeConnections.decrement();
  }

  @Override
  public void bytesRead(Void socket, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Void socket, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }
}
