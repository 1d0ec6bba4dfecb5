package dev.tessera.lifecycle;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TesseraProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C or SIGTERM while a node is still starting: the embedded PostgreSQL it has already started stops
 * with it, instead of running on alone until the next start finds it (the shutdown hook used to be
 * registered only once start-up had succeeded).
 */
class SigtermDuringStartTest {

  @Test
  void theEmbeddedDatabaseAlreadyStartedIsStoppedToo(@TempDir Path dataDir) throws IOException {
    Map<String, String> env = TesseraProcess.embeddedEnv(dataDir);
    // The bootstrap admin's hash comes after the database is up: a dear one leaves seconds of start-up
    // between the database's start and the node's, for the signal to land in.
    env.put("TESSERA_ARGON2_MEMORY_KIB", "65536");
    env.put("TESSERA_ARGON2_ITERATIONS", "30");
    Path postmasterPid = dataDir.resolve("postgres/postmaster.pid");
    try (TesseraProcess process = TesseraProcess.start(env)) {
      // Logged once the database runs and is migrated (not the pid file: initdb's bootstrap backend writes one too).
      Eventually.within(Duration.ofSeconds(120), () -> process.output().contains("database schema migrated"),
          "embedded PostgreSQL started");
      assertThat(process.output()).as("the node is still starting when signalled").doesNotContain("Tessera listening");

      process.terminate(Duration.ofSeconds(90));

      assertThat(postmasterPid).as("PostgreSQL stopped cleanly (it removes its pid file)").doesNotExist();
    } finally {
      stopLeftover(postmasterPid);
    }
  }

  /** If the test failed, the database it left running must not outlive it: its pid is the file's first line. */
  private static void stopLeftover(Path postmasterPid) throws IOException {
    if (Files.exists(postmasterPid)) {
      long pid = Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim());
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    }
  }
}
