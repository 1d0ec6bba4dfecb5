package dev.tessera.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration in three layers, each overriding the one before: the defaults built into the jar
 * (conf/tessera.json at build time), a defaults file on disk if there is one, and the process
 * environment. The jar therefore starts from any working directory, and a file written for an older
 * version, lacking keys added since, still starts.
 */
public final class ConfigLoader {
  /** Where the build puts conf/tessera.json (pom.xml). */
  private static final String BUILT_IN = "tessera.json";

  private ConfigLoader() {
  }

  /**
   * @param file a defaults file to lay over the built-in ones
   * @param required whether {@code file} must exist (it was named explicitly) or is used only if present
   */
  public static Future<TesseraConfig> load(Vertx vertx, Path file, boolean required) {
    boolean present = Files.isRegularFile(file);
    if (required && !present) {
      return Future.failedFuture(new ConfigException("tessera.config",
          "defaults file not found at " + file.toAbsolutePath()));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(builtIn()));
    if (present) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("json")
          .setConfig(new JsonObject().put("path", file.toString())));
    }
    // raw-data keeps values as strings; TesseraConfig does the typing so errors name the key.
    options.addStore(new ConfigStoreOptions().setType("env").setConfig(new JsonObject().put("raw-data", true)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
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

  /** The defaults the jar was built with. */
  public static JsonObject builtIn() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("the build did not put conf/tessera.json into the jar (pom.xml resources)");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
