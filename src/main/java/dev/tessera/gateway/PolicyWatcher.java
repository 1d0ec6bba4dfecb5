package dev.tessera.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Holds the route policy in force and follows its file. The file is re-read on a timer through Vert.x's
 * asynchronous file system (never blocking an event loop) and compared by content, not modification
 * time: a Kubernetes ConfigMap update swaps a symlink, which a path's mtime does not always show. A
 * change that does not parse keeps the last good policy and says so in the log and in
 * {@code tessera_policy_file_valid} / {@code tessera_policy_reload_failures_total}.
 */
public final class PolicyWatcher implements Supplier<RoutePolicy> {
  private static final Logger log = LoggerFactory.getLogger(PolicyWatcher.class);

  private final Vertx vertx;
  private final String file;
  private final GatewayMetrics metrics;
  private volatile RoutePolicy current;
  private Buffer lastContent;
  private String lastProblem;
  private long timer = -1;
  private boolean reading;

  private PolicyWatcher(Vertx vertx, String file, GatewayMetrics metrics, RoutePolicy initial, Buffer content) {
    this.vertx = vertx;
    this.file = file;
    this.metrics = metrics;
    this.current = initial;
    this.lastContent = content;
    metrics.loaded(initial);
  }

  /**
   * Loads the policy file, or the token-required policy when there is none. A bad file fails with
   * {@link PolicyFile.Invalid}, whose message is the one line start-up reports.
   */
  public static Future<PolicyWatcher> load(Vertx vertx, Optional<String> file, GatewayMetrics metrics) {
    if (file.isEmpty()) {
      return Future.succeededFuture(new PolicyWatcher(vertx, null, metrics, RoutePolicy.TOKEN_REQUIRED, null));
    }
    String path = file.get();
    return vertx.fileSystem().readFile(path)
        .recover(e -> Future.failedFuture(new PolicyFile.Invalid(path, "cannot read: " + e.getMessage())))
        .map(content -> {
          RoutePolicy policy = PolicyFile.parse(path, content);
          log.info("route policy {}: {} rules, default {}", path, policy.size(), policy.fallback().label());
          return new PolicyWatcher(vertx, path, metrics, policy, content);
        });
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  @Override
  public RoutePolicy get() {
    return current;
  }

  /** Starts following the file (no-op without one). */
  public void follow(Duration interval) {
    if (file != null) {
      timer = vertx.setPeriodic(interval.toMillis(), t -> reload());
    }
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Re-reads the file once; completes when the policy in force reflects what was read. */
  Future<Void> reload() {
    if (reading) {
      return Future.succeededFuture();
    }
    reading = true;
    return vertx.fileSystem().readFile(file)
        .onSuccess(this::apply)
        .onFailure(e -> reject("cannot read: " + e.getMessage(), null))
        .<Void>mapEmpty()
        .otherwiseEmpty()
        .andThen(v -> reading = false);
  }

  private void apply(Buffer content) {
    if (content.equals(lastContent)) {
      return;
    }
    try {
      RoutePolicy policy = PolicyFile.parse(file, content);
      current = policy;
      lastContent = content;
      lastProblem = null;
      metrics.loaded(policy);
      log.info("route policy {} reloaded: {} rules, default {}", file, policy.size(), policy.fallback().label());
    } catch (PolicyFile.Invalid e) {
      reject(e.getMessage(), content);
    }
  }

  private void reject(String problem, Buffer content) {
    lastContent = content;
    // Said once per broken version, not on every poll while it stays broken.
    if (problem.equals(lastProblem)) {
      return;
    }
    lastProblem = problem;
    metrics.reloadFailed();
    log.warn("route policy not reloaded, keeping the last good one: {}", problem.startsWith(file) ? problem : file + ": " + problem);
  }
}
