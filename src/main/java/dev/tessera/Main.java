package dev.tessera;

import dev.tessera.config.ConfigException;
import dev.tessera.config.ConfigLoader;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tessera.config.TesseraConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** Reads the configuration, starts a node, and stops it cleanly on SIGTERM. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** The longest a start-up can still take when the signal comes: the embedded database's own start wait. */
  private static final Duration START_BOUND = Duration.ofSeconds(60);
  /** Draining, flushing and stopping the database; below Kubernetes' default 30 s grace period. */
  private static final Duration CLOSE_BOUND = Duration.ofSeconds(20);
  /** Set by the shutdown hook: a start that fails from then on was cut short by the signal, not broken. */
  private static volatile boolean shuttingDown;

  private Main() {
  }

  public static void main(String[] args) {
    // -Dtessera.config names a file that must exist; otherwise conf/tessera.json is laid over the built-in
    // defaults if the working directory has one.
    String named = System.getProperty("tessera.config");
    Path defaults = Path.of(named != null ? named : "conf/tessera.json");
    TesseraConfig config;
    // A throwaway Vert.x for vertx-config (the node's own instance depends on what the config says).
    // Waiting here is fine: this is the JVM's main thread, not an event loop.
    Vertx configVertx = Vertx.vertx();
    try {
      config = ConfigLoader.load(configVertx, defaults, named != null).toCompletionStage().toCompletableFuture().join();
    } catch (CompletionException e) {
      exit(e.getCause());
      return;
    } finally {
      configVertx.close();
    }
    Future<Tessera> starting = Tessera.start(config);
    // Registered before start-up completes: a SIGTERM that arrives while the embedded PostgreSQL is already
    // up must still stop it, so the hook lets the start finish and then closes the node. A start that fails
    // has closed what it opened.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // First: from here on exit() leaves the exit to this hook. Its System.exit would block, until the hooks
      // are done, the very thread that hands this hook the start's outcome.
      shuttingDown = true;
      if (starting.failed()) {
        return;
      }
      log.info("shutting down");
      Duration bound = starting.isComplete() ? CLOSE_BOUND : START_BOUND.plus(CLOSE_BOUND);
      starting.transform(started -> started.succeeded() ? started.result().close() : Future.<Void>succeededFuture())
          .toCompletionStage().toCompletableFuture()
          .orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
          .exceptionally(e -> {
            log.warn("shutdown did not finish cleanly within {}: {}", bound, e.toString());
            return null;
          })
          .join();
    }, "tessera-shutdown"));
    starting.onFailure(Main::exit);
  }

  private static void exit(Throwable e) {
    if (shuttingDown) {
      // Parts of start-up (a library registering its own shutdown hook) refuse to run once the JVM is stopping.
      log.info("start-up abandoned: shutting down ({})", e.toString());
      return;
    }
    if (e instanceof ConfigException) {
      log.error(e.getMessage());
    } else {
      log.error("Tessera failed to start: {}", e.toString(), e);
    }
    System.exit(1);
  }
}
