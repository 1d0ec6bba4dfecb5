package dev.tessera.lifecycle;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TesseraProcess;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM while requests stream in: Tessera drains, flushes and stops its embedded PostgreSQL last, so
 * every request sent before the signal is answered and nothing fails on the way down (issue 15: zonky's
 * own shutdown hook used to stop the database under the flush and drop an accepted connection).
 */
@ExtendWith(VertxExtension.class)
class ShutdownUnderLoadTest {
  private static final Duration START = Duration.ofSeconds(120);

  /** One request: when it was sent, and its status, or -1 when the connection failed. */
  private record Outcome(long sentAt, String what, int status, String error) {
  }

  @Test
  void everyRequestSentBeforeSigtermIsAnsweredAndTheLogStaysClean(Vertx vertx, @TempDir Path dataDir) throws Exception {
    Map<String, String> env = TesseraProcess.embeddedEnv(dataDir);
    // Last-used times are written by the shutdown flush, against the database that must still be up.
    env.put("TESSERA_LAST_USED_FLUSH_INTERVAL", "PT1H");
    env.put("TESSERA_TOKEN_RATE_PER_CLIENT", "100000");
    try (TesseraProcess process = TesseraProcess.start(env).awaitReady(START);
         TestClient http = new TestClient(vertx, process.port())) {
      String admin = http.adminToken();
      http.createPublicClient(admin, "mobile", "read");
      String secret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
      http.createUser(admin, "lena@example.com", "user-password", "read");
      String token = http.login("mobile", "lena@example.com", "user-password", "Pixel").getString("access_token");
      assertThat(http.get("/auth/verify", TestClient.bearer(token)).statusCode()).isEqualTo(200);

      Map<String, IntSupplier> kinds = Map.of(
          "verify", () -> http.get("/auth/verify", TestClient.bearer(token)).statusCode(),
          "introspect", () -> http.postForm("/oauth2/introspect", Map.of("token", token),
              TestClient.basic("gateway", secret)).statusCode(),
          "sign-in", () -> http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mobile",
              "username", "lena@example.com", "password", "user-password")).statusCode());
      ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
      AtomicBoolean running = new AtomicBoolean(true);
      CountDownLatch warm = new CountDownLatch(200);
      List<Thread> loadThreads = new CopyOnWriteArrayList<>();
      ExecutorService load = Executors.newFixedThreadPool(6, task -> {
        Thread thread = new Thread(task, "load-" + loadThreads.size());
        loadThreads.add(thread);
        return thread;
      });
      List<String> order = new ArrayList<>(kinds.keySet());
      for (int i = 0; i < 6; i++) {
        String kind = order.get(i % order.size());
        load.submit(() -> {
          while (running.get()) {
            long sentAt = System.nanoTime();
            try {
              outcomes.add(new Outcome(sentAt, kind, kinds.get(kind).getAsInt(), null));
            } catch (RuntimeException e) {
              outcomes.add(new Outcome(sentAt, kind, -1, e.toString()));
            }
            warm.countDown();
          }
        });
      }
      assertThat(warm.await(60, TimeUnit.SECONDS)).isTrue();

      long signalled = System.nanoTime();
      process.terminate(Duration.ofSeconds(30));
      running.set(false);
      load.shutdown();
      assertThat(load.awaitTermination(60, TimeUnit.SECONDS))
          .as(() -> "a request still unanswered 60 s after Tessera exited:\n" + stacksOf(loadThreads))
          .isTrue();

      List<Outcome> before = outcomes.stream().filter(o -> o.sentAt() < signalled).toList();
      System.out.printf("requests sent before SIGTERM: %d, after: %d%n", before.size(), outcomes.size() - before.size());
      assertThat(before).hasSizeGreaterThan(200).allSatisfy(o -> assertThat(o.status()).as(o.toString()).isEqualTo(200));

      String output = process.output();
      String shutdown = output.substring(output.indexOf("shutting down"));
      assertThat(shutdown.lines().filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception")))
          .isEmpty();
    }
    // PostgreSQL was stopped, last and cleanly: it removed its pid file.
    assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
  }

  private static String stacksOf(List<Thread> threads) {
    StringBuilder stacks = new StringBuilder();
    for (Thread thread : threads) {
      stacks.append(thread.getName()).append(' ').append(thread.getState()).append('\n');
      for (StackTraceElement frame : thread.getStackTrace()) {
        stacks.append("    at ").append(frame).append('\n');
      }
    }
    return stacks.toString();
  }
}
