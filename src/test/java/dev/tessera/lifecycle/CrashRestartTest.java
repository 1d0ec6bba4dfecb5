package dev.tessera.lifecycle;

import dev.tessera.testing.Eventually;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TesseraProcess;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Tessera process with its embedded PostgreSQL, killed the way a crash or the OOM killer kills it,
 * starts again on the same data directory without a person, and nothing committed is lost (issue 15).
 */
@ExtendWith(VertxExtension.class)
class CrashRestartTest {
  private static final Duration START = Duration.ofSeconds(120);

  @Test
  void aNodeKilledWhileItsDatabaseRunsStopsTheLeftoverDatabaseAndStartsAgain(Vertx vertx, @TempDir Path dataDir) {
    Map<String, String> env = TesseraProcess.embeddedEnv(dataDir);
    Tokens tokens = revokeOneOfTwoAndKill(vertx, env);
    // SIGKILL reached the JVM only: its PostgreSQL is still running and still owns the directory.
    long leftover = postmasterPid(dataDir);
    assertThat(ProcessHandle.of(leftover).filter(ProcessHandle::isAlive)).isPresent();

    try (TesseraProcess again = TesseraProcess.start(env).awaitReady(START);
         TestClient http = new TestClient(vertx, again.port())) {
      assertThat(again.output()).contains("found PostgreSQL (process " + leftover + ") left running in")
          .contains("stopped it with a fast shutdown");
      // PostgreSQL removes its pid file (which is what frees the directory) a moment before its process
      // exits, and an orphan is reaped by whoever adopted it: wait for it to end, a zombie counting as ended.
      Eventually.within(Duration.ofSeconds(30), () -> hasEnded(leftover), "the leftover PostgreSQL has ended");
      assertThat(http.get("/auth/verify", TestClient.bearer(tokens.revoked())).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", TestClient.bearer(tokens.kept())).statusCode()).isEqualTo(200);

      again.terminate(Duration.ofSeconds(30));
    }
    // A clean stop stops PostgreSQL too, last: no second leftover.
    assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
  }

  @Test
  void aNodeKilledTogetherWithItsDatabaseStartsAgainOverTheStalePidFile(Vertx vertx, @TempDir Path dataDir) {
    Map<String, String> env = TesseraProcess.embeddedEnv(dataDir);
    Tokens tokens = revokeOneOfTwoAndKill(vertx, env);
    // The OOM killer takes the whole group: PostgreSQL dies too and leaves postmaster.pid behind.
    ProcessHandle postgres = ProcessHandle.of(postmasterPid(dataDir)).orElseThrow();
    List<ProcessHandle> group = new java.util.ArrayList<>(postgres.descendants().toList());
    group.add(postgres);
    group.forEach(ProcessHandle::destroyForcibly);
    Eventually.within(Duration.ofSeconds(30), () -> group.stream().noneMatch(ProcessHandle::isAlive), "PostgreSQL gone");
    assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

    try (TesseraProcess again = TesseraProcess.start(env).awaitReady(START);
         TestClient http = new TestClient(vertx, again.port())) {
      assertThat(again.output()).contains("which is gone: PostgreSQL recovers from the crash on start");
      assertThat(http.get("/auth/verify", TestClient.bearer(tokens.revoked())).statusCode()).isEqualTo(401);
      assertThat(http.get("/auth/verify", TestClient.bearer(tokens.kept())).statusCode()).isEqualTo(200);

      again.terminate(Duration.ofSeconds(30));
    }
  }

  private record Tokens(String revoked, String kept) {
  }

  /** Two sessions, one revoked through RFC 7009 (answered 200), then SIGKILL to the Java process only. */
  private static Tokens revokeOneOfTwoAndKill(Vertx vertx, Map<String, String> env) {
    try (TesseraProcess process = TesseraProcess.start(env).awaitReady(START);
         TestClient http = new TestClient(vertx, process.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      http.createUser(admin, "kim@example.com", "user-password", "read");
      String revoked = http.login("mobile", "kim@example.com", "user-password", "Pixel").getString("access_token");
      String kept = http.login("mobile", "kim@example.com", "user-password", "iPhone").getString("access_token");
      assertThat(http.get("/auth/verify", TestClient.bearer(revoked)).statusCode()).isEqualTo(200);
      assertThat(http.postForm("/oauth2/revoke", Map.of("token", revoked, "client_id", "mobile")).statusCode()).isEqualTo(200);
      process.kill(Duration.ofSeconds(10));
      return new Tokens(revoked, kept);
    }
  }

  private static boolean hasEnded(long pid) {
    if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
      return true;
    }
    try {
      // /proc/<pid>/stat: "pid (comm) state …"; Z is a zombie, dead but not yet reaped by its new parent.
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException gone) {
      return true;
    }
  }

  private static long postmasterPid(Path dataDir) {
    try {
      return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
