package dev.tessera.ops;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The validators these tests delegate to are real programs (Node with the pinned npm schemas, promtool,
 * nginx), not Java re-implementations. CI installs them and sets {@code TESSERA_REQUIRE_VALIDATORS=true},
 * so a missing tool fails the build there; on a newcomer's machine without them the tests are skipped
 * rather than failing a plain {@code mvn verify}.
 */
final class ExternalTools {
  static final String REQUIRE = "TESSERA_REQUIRE_VALIDATORS";
  static final Path VALIDATE_DIR = Path.of("tools/validate");

  private ExternalTools() {
  }

  /** Fails (in CI) or skips (elsewhere) unless {@code present}. */
  static void require(boolean present, String what, String install) {
    if (present) {
      return;
    }
    String message = what + " is not available; install it with: " + install;
    if ("true".equalsIgnoreCase(System.getenv(REQUIRE))) {
      Assertions.fail(message + " (" + REQUIRE + "=true, so this is an error, not a skip)");
    }
    Assumptions.abort(message + " — skipped; set " + REQUIRE + "=true to make this an error");
  }

  /** Node plus the validators' pinned npm dependencies. */
  static void requireNodeValidators() {
    require(executable("node").isPresent(), "node", "apt-get install -y nodejs npm");
    require(Files.isDirectory(VALIDATE_DIR.resolve("node_modules")), "tools/validate/node_modules",
        "tools/validate/install.sh (npm ci in tools/validate)");
  }

  static void requirePromtool() {
    require(executable("promtool").isPresent(), "promtool", "apt-get install -y --no-install-recommends prometheus");
  }

  /** The first executable named {@code name} on PATH, or at one of {@code fallbacks}. */
  static Optional<Path> executable(String name, String... fallbacks) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
        return Optional.of(Path.of(dir, name));
      }
    }
    for (String f : fallbacks) {
      if (Files.isExecutable(Path.of(f))) {
        return Optional.of(Path.of(f));
      }
    }
    return Optional.empty();
  }

  record Result(List<String> command, int exitCode, String output) {
    /** Everything a failed assertion needs to be diagnosed from the build log alone. */
    String describe() {
      return "$ " + String.join(" ", command) + "\nexit " + exitCode + "\n" + output;
    }
  }

  /** Runs {@code command} from the project directory, stdout and stderr merged, killed after {@code timeout}. */
  static Result run(Duration timeout, List<String> command) {
    try {
      Path log = Files.createTempFile("tessera-tool", ".log");
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          return new Result(command, -1, "TIMED OUT after " + timeout + "\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(command, p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    }
  }
}
