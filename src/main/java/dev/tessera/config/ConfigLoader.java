package dev.tessera.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads {@code conf/tessera.json} (defaults) and lets the process environment override it. */
public final class ConfigLoader {
  private ConfigLoader() {
  }

  public static Future<TesseraConfig> load(Vertx vertx, Path defaults) {
    if (!Files.isRegularFile(defaults)) {
      return Future.failedFuture(new ConfigException("conf/tessera.json",
          "defaults file not found at " + defaults.toAbsolutePath()));
    }
    var file = new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", defaults.toString()));
    // raw-data keeps values as strings; TesseraConfig does the typing so errors name the key.
    var env = new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setScanPeriod(0).addStore(file).addStore(env));
    return retriever.getConfig()
        .map(merged -> {
          JsonObject tessera = new JsonObject();
          merged.forEach(e -> {
            if (e.getKey().startsWith("TESSERA_")) {
              tessera.put(e.getKey(), e.getValue());
            }
          });
          return TesseraConfig.from(tessera);
        })
        .eventually(retriever::close);
  }
}
