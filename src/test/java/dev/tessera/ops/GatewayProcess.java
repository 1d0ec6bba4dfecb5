package dev.tessera.ops;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A real gateway (nginx, Caddy) run from one of conf/'s example files for a test: the file an operator
 * copies is the file under test, with only its placeholders filled in.
 */
final class GatewayProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path output;
  private final List<Path> logs;

  private GatewayProcess(String name, Process process, Path output, List<Path> logs) {
    this.name = name;
    this.process = process;
    this.output = output;
    this.logs = logs;
  }

  /** The example with every {@code __NAME__} placeholder replaced; fails if one is left. */
  static String render(Path example, Map<String, String> values) throws IOException {
    String text = Files.readString(example, StandardCharsets.UTF_8);
    for (var v : values.entrySet()) {
      assertThat(text).as(example + " placeholder").contains(v.getKey());
      text = text.replace(v.getKey(), v.getValue());
    }
    assertThat(text).doesNotContainPattern("__[A-Z]+__");
    return text;
  }

  /** Starts {@code command} with its output in {@code dir} and waits until it listens on {@code port}. */
  static GatewayProcess start(String name, List<String> command, Map<String, String> environment, Path dir, int port,
                              Path... extraLogs) throws Exception {
    Path output = dir.resolve(name + ".out.log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().putAll(environment);
    GatewayProcess gateway = new GatewayProcess(name, builder.start(), output, List.of(extraLogs));
    gateway.awaitListening(port);
    return gateway;
  }

  /** Waits until {@code gateway} (still running) listens on another of its ports too. */
  static void awaitPort(int port, GatewayProcess gateway) throws Exception {
    gateway.awaitListening(port);
  }

  private void awaitListening(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail(name + " exited with " + process.exitValue() + ":\n" + logs());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    fail(name + " did not listen on " + port + " within 15 s:\n" + logs());
  }

  String logs() throws IOException {
    StringBuilder all = new StringBuilder();
    for (Path log : concat(output, logs)) {
      if (Files.exists(log)) {
        all.append(Files.readString(log));
      }
    }
    return all.toString();
  }

  private static List<Path> concat(Path first, List<Path> rest) {
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(first), rest.stream()).toList();
  }

  /** Closes what a gateway test opened, in order, skipping what was never opened. */
  static void closeAll(AutoCloseable... opened) throws Exception {
    for (AutoCloseable c : opened) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** SIGTERM (a graceful stop for nginx and Caddy), then force after 10 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
