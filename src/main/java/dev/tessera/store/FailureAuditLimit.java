package dev.tessera.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tessera.domain.AuditEvent;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Failed authentications are written to the audit log at most {@link #PER_WINDOW} per source address and
 * kind of event a minute (per node); the rest are counted, and when the minute is over one {@code auth_failures_suppressed}
 * row says how many there were. Junk requests then cannot fill the table, and an attack still shows.
 */
final class FailureAuditLimit {
  static final int PER_WINDOW = 10;
  static final Duration WINDOW = Duration.ofMinutes(1);

  private static final class Window {
    private final String event;
    private final String address;
    private int written;
    private int suppressed;

    Window(String event, String address) {
      this.event = event;
      this.address = address;
    }

    synchronized boolean admit() {
      if (written < PER_WINDOW) {
        written++;
        return true;
      }
      suppressed++;
      return false;
    }

    synchronized int suppressed() {
      return suppressed;
    }
  }

  private final Cache<String, Window> windows;

  FailureAuditLimit(Consumer<AuditEvent> summaries, Ticker ticker) {
    this.windows = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(WINDOW).ticker(ticker)
        .scheduler(Scheduler.systemScheduler())
        .removalListener((String key, Window w, RemovalCause cause) -> {
          int suppressed = w == null ? 0 : w.suppressed();
          if (suppressed > 0) {
            summaries.accept(AuditEvent.of("auth_failures_suppressed", null, null, null, w.address,
                new JsonObject().put("event", w.event).put("count", suppressed).put("window_seconds", WINDOW.toSeconds())));
          }
        })
        .build();
  }

  /** Whether this failure gets its own row; if not, it is counted towards the window's summary. */
  boolean admit(AuditEvent e) {
    return windows.get(e.event() + "\u0000" + (e.ip() == null ? "" : e.ip()), k -> new Window(e.event(), e.ip())).admit();
  }

  /** Closes windows that are over now (Caffeine would on its own, a little later). */
  void cleanUp() {
    windows.cleanUp();
  }
}
