package dev.tessera.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Tessera as a separate operating-system process started through {@code dev.tessera.Main}, exactly as in
 * production, so tests can send it SIGTERM or SIGKILL.
 */
public final class TesseraProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final int port;

  private TesseraProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the process; {@code env} are TESSERA_* overrides on top of conf/tessera.json. */
  public static TesseraProcess start(Map<String, String> env) {
    return start(Path.of("").toAbsolutePath(), env, "-Dtessera.config=conf/tessera.json");
  }

  /**
   * Starts the process in {@code workDir} with {@code jvmOptions} (none: as {@code java -jar} run there
   * would, on the built-in defaults and a conf/tessera.json there if there is one).
   */
  public static TesseraProcess start(Path workDir, Map<String, String> env, String... jvmOptions) {
    try {
      Path log = Files.createTempFile("tessera-process", ".log");
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path")));
      command.addAll(List.of(jvmOptions));
      command.add("dev.tessera.Main");
      ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("TESSERA_"));
      builder.environment().putAll(env);
      int port = Integer.parseInt(env.getOrDefault("TESSERA_HTTP_PORT", "8080"));
      return new TesseraProcess(builder.start(), log, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The usual test settings: fresh database, free port, bootstrap admin, cheap Argon2. */
  public static Map<String, String> testEnv(String dbUrl) {
    return new java.util.HashMap<>(Map.of(
        "TESSERA_DB_URL", dbUrl,
        "TESSERA_HTTP_PORT", Integer.toString(TestNode.freePort()),
        "TESSERA_HTTP_INSTANCES", "1",
        "TESSERA_ADMIN_PASSWORD", TestNode.ADMIN_PASSWORD,
        "TESSERA_ARGON2_MEMORY_KIB", "256",
        "TESSERA_ARGON2_ITERATIONS", "1"));
  }

  /** The usual test settings, but with Tessera's own embedded PostgreSQL under {@code dataDir}. */
  public static Map<String, String> embeddedEnv(Path dataDir) {
    Map<String, String> env = testEnv("");
    env.remove("TESSERA_DB_URL");
    env.put("TESSERA_DATA_DIR", dataDir.toString());
    return env;
  }

  public int port() {
    return port;
  }

  public TesseraProcess awaitReady(Duration bound) {
    HttpClient http = HttpClient.newHttpClient();
    Eventually.within(bound, () -> {
      if (!process.isAlive()) {
        throw new AssertionError("Tessera exited with " + process.exitValue() + ":\n" + output());
      }
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, "Tessera process ready");
    return this;
  }

  /** SIGTERM; returns the exit code, failing if the process outlives {@code bound}. */
  public int terminate(Duration bound) {
    process.destroy();
    return waitFor(bound);
  }

  /** SIGKILL: no shutdown hook, no flush — what a crash or OOM kill looks like. */
  public int kill(Duration bound) {
    process.destroyForcibly();
    return waitFor(bound);
  }

  public int waitFor(Duration bound) {
    try {
      if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("Tessera did not exit within " + bound + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public String output() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
