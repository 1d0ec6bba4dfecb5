package dev.tessera;

import dev.tessera.config.ConfigException;
import dev.tessera.config.ConfigLoader;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.tessera.config.TesseraConfig;

import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/** Reads the configuration, starts a node, and stops it cleanly on SIGTERM. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    Path defaults = Path.of(System.getProperty("tessera.config", "conf/tessera.json"));
    TesseraConfig config;
    // A throwaway Vert.x for vertx-config (the node's own instance depends on what the config says).
    // Waiting here is fine: this is the JVM's main thread, not an event loop.
    Vertx configVertx = Vertx.vertx();
    try {
      config = ConfigLoader.load(configVertx, defaults).toCompletionStage().toCompletableFuture().join();
    } catch (CompletionException e) {
      exit(e.getCause());
      return;
    } finally {
      configVertx.close();
    }
    Tessera.start(config)
        .onSuccess(node -> Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          log.info("shutting down");
          node.close().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS)
              .exceptionally(e -> null).join();
        }, "tessera-shutdown")))
        .onFailure(Main::exit);
  }

  private static void exit(Throwable e) {
    if (e instanceof ConfigException) {
      log.error(e.getMessage());
    } else {
      log.error("Tessera failed to start: {}", e.toString(), e);
    }
    System.exit(1);
  }
}
