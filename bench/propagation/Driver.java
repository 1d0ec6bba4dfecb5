// Revocation-propagation driver for bench/propagation.sh (DESIGN §5, issue 7 item 6).
//
//   javac -cp target/tessera.jar -d /tmp/bench-classes bench/lib/BenchHttp.java   (shared HTTP helpers)
//   java -cp target/tessera.jar:/tmp/bench-classes bench/propagation/Driver.java key=value ...
//
// Keys (all required unless a default is shown):
//   nodes=http://127.0.0.1:P1,http://127.0.0.1:P2,http://127.0.0.1:P3
//   admin_password=...          the nodes' TESSERA_ADMIN_PASSWORD
//   tokens=300                  tokens revoked during the run (one session each)
//   read_tokens=30              other live tokens the readers introspect (never revoked)
//   rate=50                     revocations per second, round-robin over the nodes
//   warmup_revocations=50       revocations run first at the same rate and not counted (JIT warm-up)
//   readers=4                   reader threads hammering introspection on every node
//   poll_timeout_ms=10000       give up on a (revocation, node) pair after this long
//   out=PATH_PREFIX             writes PATH_PREFIX.json and PATH_PREFIX.md
//   label=...                   free text recorded in the results (e.g. the node settings)
//
// Phases:
//   1. setup   admin password grant; a confidential introspection client, a public app client and a user
//              through /admin/api; tokens+read_tokens password grants spread over the nodes.
//   2. warm    introspect every token on every node (must be active), twice; the second pass must be
//              answered from the cache (tessera_token_cache_misses_total does not move), so the run
//              measures eviction, not a cache miss.
//   3. run     readers introspect read tokens on all nodes in a closed loop; revocations are started on a
//              fixed schedule (RFC 7009 /oauth2/revoke as the public client, node i % 3). When a revoke
//              returns 200 the origin node is checked once (read-your-writes) and each of the other two
//              nodes is polled back to back until it answers active=false. Lag = time from receiving the
//              revoke's 200 to receiving the first inactive answer (client-observed, includes one HTTP
//              round trip); every active=true answer after the 200 is a stale answer.
//   4. report  client-side lag percentiles, stale answers, each node's tessera_revocation_propagation_seconds
//              (delta over the run), cache hit/miss deltas; printed and written as .md and .json.
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static benchlib.BenchHttp.*;

public class Driver {
  static final String PROP = "tessera_revocation_propagation_seconds";

  static Map<String, String> opts = new HashMap<>();
  static List<String> nodes;
  static HttpClient http;
  static String introspectAuth;
  static String appClient;

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("expected key=value, got " + a);
      }
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    nodes = List.of(req("nodes").split(","));
    int n = nodes.size();
    int tokens = intOpt("tokens", 300);
    int readTokens = intOpt("read_tokens", 30);
    int warmupRevocations = intOpt("warmup_revocations", 50);
    double rate = Double.parseDouble(opts.getOrDefault("rate", "50"));
    int readers = intOpt("readers", 4);
    long pollTimeoutMs = intOpt("poll_timeout_ms", 10_000);
    String out = req("out");
    String label = opts.getOrDefault("label", "");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newFixedThreadPool(4, daemon("http")))
        .build();
    benchlib.BenchHttp.init(http, nodes);

    // ---- 1. setup
    long t = System.nanoTime();
    String suffix = Long.toString(System.currentTimeMillis(), 36);
    JsonObject adminTok = form(0, "/oauth2/token", null, Map.of("grant_type", "password", "client_id", "tessera-cli",
        "username", "admin", "password", req("admin_password"), "scope", "admin"), 200);
    String admin = "Bearer " + adminTok.getString("access_token");
    String introspector = "prop-introspector-" + suffix;
    JsonObject created = json(0, "/admin/api/clients", admin, new JsonObject().put("client_id", introspector)
        .put("name", "propagation bench introspector").put("confidential", true)
        .put("grant_types", new JsonArray().add("client_credentials")).put("scopes", new JsonArray().add("read"))
        .put("introspect", true), 201);
    introspectAuth = "Basic " + Base64.getEncoder().encodeToString(
        (introspector + ":" + created.getString("client_secret")).getBytes(StandardCharsets.UTF_8));
    appClient = "prop-app-" + suffix;
    json(0, "/admin/api/clients", admin, new JsonObject().put("client_id", appClient).put("name", "propagation bench app")
        .put("confidential", false).put("grant_types", new JsonArray().add("password").add("refresh_token"))
        .put("scopes", new JsonArray().add("read")), 201);
    String user = "prop-user-" + suffix;
    String password = "pw-" + suffix + "-" + ThreadLocalRandom.current().nextLong();
    json(0, "/admin/api/users", admin, new JsonObject().put("username", user).put("password", password)
        .put("scopes", new JsonArray().add("read")), 201);

    int total = tokens + readTokens + warmupRevocations;
    String[] all = new String[total];
    ExecutorService setupPool = Executors.newFixedThreadPool(8, daemon("setup"));
    List<Future<?>> minted = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      int idx = i;
      minted.add(setupPool.submit(() -> {
        JsonObject tok = form(idx % n, "/oauth2/token", null, Map.of("grant_type", "password", "client_id", appClient,
            "username", user, "password", password, "scope", "read", "device_name", "prop-" + idx), 200);
        all[idx] = tok.getString("access_token");
        return null;
      }));
    }
    for (Future<?> f : minted) {
      f.get();
    }
    String[] revokeSet = Arrays.copyOfRange(all, 0, tokens);
    String[] readSet = Arrays.copyOfRange(all, tokens, tokens + readTokens);
    String[] warmupSet = Arrays.copyOfRange(all, tokens + readTokens, total);
    log("setup: %d tokens minted over %d nodes in %.1f s", total, n, secs(t));

    // ---- 2. warm
    t = System.nanoTime();
    warm(setupPool, all);
    List<Map<String, Double>> afterWarm1 = scrapeAll();
    warm(setupPool, all);
    List<Map<String, Double>> warmed = scrapeAll();
    double[] warmMisses = new double[n];
    for (int j = 0; j < n; j++) {
      warmMisses[j] = get(warmed.get(j), "tessera_token_cache_misses_total") - get(afterWarm1.get(j), "tessera_token_cache_misses_total");
    }
    log("warm: %d tokens x %d nodes x 2 passes in %.1f s; cache misses in pass 2 per node: %s",
        total, n, secs(t), Arrays.toString(warmMisses));
    setupPool.shutdown();

    // Idle round trip of one cache-hit introspection per node: a lag equal to this is "inactive on the first poll".
    List<List<Double>> idleRtt = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      List<Double> l = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        long s0 = System.nanoTime();
        introspect(j, readSet[i % readSet.length]);
        l.add((System.nanoTime() - s0) / 1e6);
      }
      idleRtt.add(l);
    }

    // ---- 3. run
    AtomicBoolean stop = new AtomicBoolean();
    long[] readCount = new long[readers];
    long[] readErrors = new long[readers];
    long[] readInactive = new long[readers];
    List<long[]> readLatUs = new ArrayList<>();
    Thread[] readerThreads = new Thread[readers];
    for (int r = 0; r < readers; r++) {
      int rid = r;
      long[] lat = new long[1_000_000];
      readLatUs.add(lat);
      readerThreads[r] = new Thread(() -> {
        int k = rid;
        while (!stop.get()) {
          int node = k++ % n;
          String tok = readSet[ThreadLocalRandom.current().nextInt(readSet.length)];
          long s = System.nanoTime();
          try {
            Boolean active = introspect(node, tok);
            if (active == null) {
              readErrors[rid]++;
              continue;
            }
            if (!active) {
              readInactive[rid]++;
            }
            if (readCount[rid] < lat.length) {
              lat[(int) readCount[rid]] = (System.nanoTime() - s) / 1000;
            }
            readCount[rid]++;
          } catch (Exception e) {
            readErrors[rid]++;
          }
        }
      }, "reader-" + r);
      readerThreads[r].setDaemon(true);
    }
    long runStart = System.nanoTime();
    for (Thread th : readerThreads) {
      th.start();
    }
    Thread.sleep(1000); // readers at full speed before the first revocation

    ExecutorService workers = Executors.newFixedThreadPool(Math.max(16, (int) Math.ceil(rate / 5) * n), daemon("worker"));
    ScheduledExecutorService sched = Executors.newSingleThreadScheduledExecutor(daemon("sched"));
    if (warmupSet.length > 0) {
      // Same rate, same paths, not counted: JIT and connection warm-up for the revoke and broadcast paths.
      Batch w = runBatch(warmupSet, rate, workers, sched, pollTimeoutMs);
      log("warm-up: %d revocations (not counted), %s", warmupSet.length, w.finished ? "all converged" : "NOT all converged");
      Thread.sleep(300);
    }
    List<Map<String, Double>> before = scrapeAll();
    long revStart = System.nanoTime();
    Batch batch = runBatch(revokeSet, rate, workers, sched, pollTimeoutMs);
    Rev[] revs = batch.revs;
    boolean finished = batch.finished;
    AtomicLong lateStarts = batch.lateStarts;
    long revEnd = System.nanoTime();
    Thread.sleep(500);
    stop.set(true);
    for (Thread th : readerThreads) {
      th.join(5000);
    }
    long runEnd = System.nanoTime();
    sched.shutdownNow();
    workers.shutdownNow();
    List<Map<String, Double>> after = scrapeAll();
    List<String> afterRaw = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      afterRaw.add(scrapeRaw(j));
    }

    // ---- 4. report
    JsonObject result = report(label, n, warmupRevocations, tokens, readTokens, rate, readers, pollTimeoutMs, revs, finished,
        lateStarts.get(), (revEnd - revStart) / 1e9, (runEnd - runStart) / 1e9,
        readCount, readErrors, readInactive, readLatUs, warmMisses, before, after, idleRtt);
    Files.writeString(Path.of(out + ".json"), result.encodePrettily() + "\n");
    String md = markdown(result);
    Files.writeString(Path.of(out + ".md"), md);
    System.out.println(md);
    // Raw /metrics of every node after the run, for anyone who wants more than the summary.
    StringBuilder raw = new StringBuilder();
    for (int j = 0; j < n; j++) {
      raw.append("# ---- node ").append(j + 1).append(' ').append(nodes.get(j)).append('\n');
      for (String line : afterRaw.get(j).split("\n")) {
        if (line.startsWith("tessera_")) {
          raw.append(line).append('\n');
        }
      }
    }
    Files.writeString(Path.of(out + ".metrics.txt"), raw.toString());
    System.exit(finished ? 0 : 3);
  }

  // ------------------------------------------------------------------------------------------------ run

  static final class Batch {
    Rev[] revs;
    boolean finished;
    AtomicLong lateStarts = new AtomicLong();
  }

  /** Starts one revocation of set[i] every 1/rate s and waits until every node has seen each (or timed out). */
  static Batch runBatch(String[] set, double rate, ExecutorService workers, ScheduledExecutorService sched,
                        long pollTimeoutMs) throws InterruptedException {
    int n = nodes.size();
    Batch b = new Batch();
    b.revs = new Rev[set.length];
    CountDownLatch done = new CountDownLatch(set.length * n);
    long periodNanos = (long) (1e9 / rate);
    long start = System.nanoTime();
    for (int i = 0; i < set.length; i++) {
      int idx = i;
      long due = start + idx * periodNanos;
      sched.schedule(() -> workers.submit(() -> {
        if (System.nanoTime() - due > 5_000_000) {
          b.lateStarts.incrementAndGet();
        }
        revokeAndWatch(idx, set[idx], b.revs, workers, done, pollTimeoutMs);
      }), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    long spanMs = (long) (set.length * periodNanos / 1e6);
    b.finished = done.await(spanMs + pollTimeoutMs + 30_000, TimeUnit.MILLISECONDS);
    return b;
  }

  static final class Rev {
    int origin;
    String token;
    int revokeStatus;
    double revokeMs;
    long startedWallMs;
    boolean originActiveAfter;
    double[] lagMs;        // client-observed: revoke 200 received -> first inactive answer received
    double[] lowerMs;      // revoke 200 received -> last active answer's request sent (0 if none)
    double[] firstDelayMs; // revoke 200 received -> first poll sent (driver hand-off)
    double[] firstRttMs;   // round trip of the first poll
    int[] stale;           // active=true answers after the 200
    int[] polls;
    int[] errors;
    boolean[] converged;
  }

  static void revokeAndWatch(int idx, String token, Rev[] revs, ExecutorService workers, CountDownLatch done,
                             long pollTimeoutMs) {
    int n = nodes.size();
    Rev rev = new Rev();
    rev.origin = idx % n;
    rev.token = token;
    rev.lagMs = new double[n];
    rev.lowerMs = new double[n];
    rev.stale = new int[n];
    rev.firstDelayMs = new double[n];
    rev.firstRttMs = new double[n];
    rev.polls = new int[n];
    rev.errors = new int[n];
    rev.converged = new boolean[n];
    Arrays.fill(rev.lagMs, Double.NaN);
    revs[idx] = rev;
    rev.startedWallMs = System.currentTimeMillis();
    long s = System.nanoTime();
    try {
      HttpResponse<String> resp = post(rev.origin, "/oauth2/revoke", null,
          encode(Map.of("token", token, "client_id", appClient)), "application/x-www-form-urlencoded");
      rev.revokeStatus = resp.statusCode();
    } catch (Exception e) {
      rev.revokeStatus = -1;
    }
    long t0 = System.nanoTime();
    rev.revokeMs = (t0 - s) / 1e6;
    if (rev.revokeStatus != 200) {
      for (int j = 0; j < n; j++) {
        done.countDown();
      }
      return;
    }
    for (int j = 0; j < n; j++) {
      if (j == rev.origin) {
        continue;
      }
      int node = j;
      workers.submit(() -> {
        try {
          poll(rev, node, token, t0, pollTimeoutMs);
        } finally {
          done.countDown();
        }
      });
    }
    // Read-your-writes on the node that answered the revoke.
    try {
      Boolean active = introspect(rev.origin, token);
      rev.originActiveAfter = active != null && active;
      rev.converged[rev.origin] = active != null && !active;
    } catch (Exception e) {
      rev.errors[rev.origin]++;
    }
    done.countDown();
  }

  static void poll(Rev rev, int node, String token, long t0, long timeoutMs) {
    long lastActiveSend = -1;
    while (true) {
      long send = System.nanoTime();
      Boolean active;
      try {
        active = introspect(node, token);
      } catch (Exception e) {
        active = null;
      }
      long recv = System.nanoTime();
      if (rev.polls[node] == 0) {
        rev.firstDelayMs[node] = (send - t0) / 1e6;
        rev.firstRttMs[node] = (recv - send) / 1e6;
      }
      rev.polls[node]++;
      if (active == null) {
        rev.errors[node]++;
      } else if (!active) {
        rev.lagMs[node] = (recv - t0) / 1e6;
        rev.lowerMs[node] = lastActiveSend < 0 ? 0 : Math.max(0, (lastActiveSend - t0) / 1e6);
        rev.converged[node] = true;
        return;
      } else {
        rev.stale[node]++;
        lastActiveSend = send;
      }
      if (recv - t0 > timeoutMs * 1_000_000L) {
        return;
      }
      if (rev.polls[node] > 50) {
        sleepQuietly(2);
      }
    }
  }

  static void warm(ExecutorService pool, String[] toks) throws Exception {
    List<Future<?>> fs = new ArrayList<>();
    for (int j = 0; j < nodes.size(); j++) {
      int node = j;
      for (int k = 0; k < 4; k++) {
        int part = k;
        fs.add(pool.submit(() -> {
          for (int i = part; i < toks.length; i += 4) {
            Boolean active = introspect(node, toks[i]);
            if (active == null || !active) {
              throw new IllegalStateException("warm-up: token " + i + " not active on node " + (node + 1));
            }
          }
          return null;
        }));
      }
    }
    for (Future<?> f : fs) {
      f.get();
    }
  }

  // ------------------------------------------------------------------------------------------------ http

  /** active flag, or null on a non-200 answer. */
  static Boolean introspect(int node, String token) throws IOException, InterruptedException {
    HttpResponse<String> resp = post(node, "/oauth2/introspect", introspectAuth, "token=" + token,
        "application/x-www-form-urlencoded");
    if (resp.statusCode() != 200) {
      return null;
    }
    // {"active":false} or {"active":true,...}: avoid a JSON parse on the hot path.
    return resp.body().startsWith("{\"active\":true");
  }

  // ------------------------------------------------------------------------------------------------ metrics

  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

  static String scrapeRaw(int node) throws Exception {
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    return resp.body();
  }

  /** name{labels} -> value, labels normalised (no trailing comma, le as a double). */
  static Map<String, Double> scrape(int node) throws Exception {
    Map<String, Double> m = new TreeMap<>();
    for (String line : scrapeRaw(node).split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher mt = SAMPLE.matcher(line);
      if (!mt.find()) {
        continue;
      }
      String labels = mt.group(2) == null ? "" : mt.group(2).replace(",}", "}");
      double v;
      try {
        v = Double.parseDouble(mt.group(3));
      } catch (NumberFormatException e) {
        continue;
      }
      m.put(mt.group(1) + labels, v);
    }
    return m;
  }

  static List<Map<String, Double>> scrapeAll() throws Exception {
    List<Map<String, Double>> l = new ArrayList<>();
    for (int j = 0; j < nodes.size(); j++) {
      l.add(scrape(j));
    }
    return l;
  }

  static double get(Map<String, Double> m, String key) {
    Double v = m.get(key);
    if (v != null) {
      return v;
    }
    // tolerate label sets: sum every series of that name
    double sum = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : m.entrySet()) {
      if (e.getKey().startsWith(key + "{")) {
        sum += e.getValue();
        any = true;
      }
    }
    return any ? sum : Double.NaN;
  }

  static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");

  /** le -> cumulative count for the propagation histogram. */
  static TreeMap<Double, Double> buckets(Map<String, Double> m) {
    TreeMap<Double, Double> b = new TreeMap<>();
    for (Map.Entry<String, Double> e : m.entrySet()) {
      if (e.getKey().startsWith(PROP + "_bucket{")) {
        Matcher mt = LE.matcher(e.getKey());
        if (mt.find()) {
          String le = mt.group(1);
          b.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), e.getValue());
        }
      }
    }
    return b;
  }

  // ------------------------------------------------------------------------------------------------ report

  static JsonObject report(String label, int n, int warmupRevocations, int tokens, int readTokens, double rate, int readers, long pollTimeoutMs,
                           Rev[] revs, boolean finished, long lateStarts, double revSeconds, double runSeconds,
                           long[] readCount, long[] readErrors, long[] readInactive, List<long[]> readLatUs,
                           double[] warmMisses, List<Map<String, Double>> before, List<Map<String, Double>> after,
                           List<List<Double>> idleRtt) {
    List<Double> lags = new ArrayList<>();
    List<Double> lowers = new ArrayList<>();
    List<List<Double>> lagsByNode = new ArrayList<>();
    for (int j = 0; j < n; j++) {
      lagsByNode.add(new ArrayList<>());
    }
    List<Double> revokeMs = new ArrayList<>();
    List<Double> firstDelays = new ArrayList<>();
    List<Double> firstRtts = new ArrayList<>();
    long revoked = 0, revokeFailed = 0, staleAnswers = 0, stalePairs = 0, staleRevs = 0, notConverged = 0,
        firstPoll = 0, pairs = 0, originStale = 0, pollErrors = 0, missing = 0;
    int maxStale = 0;
    JsonArray worst = new JsonArray();
    List<Rev> sortedWorst = new ArrayList<>();
    for (Rev r : revs) {
      if (r == null) {
        missing++;
        continue;
      }
      if (r.revokeStatus != 200) {
        revokeFailed++;
        continue;
      }
      revoked++;
      revokeMs.add(r.revokeMs);
      if (r.originActiveAfter) {
        originStale++;
      }
      int revStale = 0;
      for (int j = 0; j < n; j++) {
        if (j == r.origin) {
          continue;
        }
        pairs++;
        if (r.polls[j] > 0) {
          firstDelays.add(r.firstDelayMs[j]);
          firstRtts.add(r.firstRttMs[j]);
        }
        staleAnswers += r.stale[j];
        revStale += r.stale[j];
        maxStale = Math.max(maxStale, r.stale[j]);
        pollErrors += r.errors[j];
        if (r.stale[j] > 0) {
          stalePairs++;
        }
        if (!r.converged[j]) {
          notConverged++;
          continue;
        }
        if (r.stale[j] == 0) {
          firstPoll++;
        }
        lags.add(r.lagMs[j]);
        lowers.add(r.lowerMs[j]);
        lagsByNode.get(j).add(r.lagMs[j]);
      }
      if (revStale > 0) {
        staleRevs++;
        sortedWorst.add(r);
      }
    }
    sortedWorst.sort((a, b) -> Double.compare(maxLag(b), maxLag(a)));
    for (Rev r : sortedWorst.subList(0, Math.min(10, sortedWorst.size()))) {
      JsonArray perNode = new JsonArray();
      for (int j = 0; j < n; j++) {
        if (j != r.origin) {
          perNode.add(new JsonObject().put("node", j + 1).put("lag_ms", round(r.lagMs[j])).put("stale", r.stale[j])
              .put("converged", r.converged[j]));
        }
      }
      worst.add(new JsonObject().put("origin", r.origin + 1).put("revoked_at", Instant.ofEpochMilli(r.startedWallMs).toString())
          .put("revoke_ms", round(r.revokeMs)).put("targets", perNode));
    }

    JsonObject client = new JsonObject()
        .put("revocations", revoked)
        .put("revoke_failed", revokeFailed)
        .put("not_started", missing)
        .put("late_starts_over_5ms", lateStarts)
        .put("revocation_seconds", round(revSeconds))
        .put("achieved_rate_per_s", round(revoked / Math.max(revSeconds, 1e-9)))
        .put("revoke_latency_ms", pct(revokeMs))
        .put("node_pairs", pairs)
        .put("lag_ms", pct(lags))
        .put("lag_lower_bound_ms", pct(lowers))
        .put("first_poll_start_delay_ms", pct(firstDelays))
        .put("first_poll_rtt_ms", pct(firstRtts))
        .put("inactive_on_first_poll", firstPoll)
        .put("stale_active_answers", staleAnswers)
        .put("stale_pairs", stalePairs)
        .put("revocations_with_stale_answers", staleRevs)
        .put("max_stale_answers_one_pair", maxStale)
        .put("not_converged_within_timeout", notConverged)
        .put("origin_active_after_200", originStale)
        .put("poll_errors", pollErrors)
        .put("worst", worst);
    JsonArray perTarget = new JsonArray();
    for (int j = 0; j < n; j++) {
      perTarget.add(new JsonObject().put("node", j + 1).put("lag_ms", pct(lagsByNode.get(j))));
    }
    client.put("lag_ms_by_target_node", perTarget);

    long reads = 0, rErr = 0, rInactive = 0;
    List<Double> rl = new ArrayList<>();
    for (int r = 0; r < readCount.length; r++) {
      reads += readCount[r];
      rErr += readErrors[r];
      rInactive += readInactive[r];
      long[] lat = readLatUs.get(r);
      int cnt = (int) Math.min(readCount[r], lat.length);
      for (int i = 0; i < cnt; i++) {
        rl.add(lat[i] / 1000.0);
      }
    }
    JsonObject readersJson = new JsonObject().put("threads", readers).put("read_tokens", readTokens)
        .put("introspections", reads).put("per_second", round(reads / runSeconds))
        .put("errors", rErr).put("inactive_answers_for_live_tokens", rInactive)
        .put("latency_ms", pct(rl)).put("seconds", round(runSeconds));

    JsonArray server = new JsonArray();
    for (int j = 0; j < n; j++) {
      Map<String, Double> b = before.get(j), a = after.get(j);
      double count = get(a, PROP + "_count") - get(b, PROP + "_count");
      double sum = get(a, PROP + "_sum") - get(b, PROP + "_sum");
      TreeMap<Double, Double> bb = buckets(b), ab = buckets(a);
      Double p50 = null, p99 = null;
      JsonObject hist = new JsonObject();
      for (Map.Entry<Double, Double> e : ab.entrySet()) {
        double c = e.getValue() - bb.getOrDefault(e.getKey(), 0.0);
        hist.put(e.getKey().isInfinite() ? "+Inf" : fmtLe(e.getKey()), (long) c);
        if (count > 0 && p50 == null && c >= 0.5 * count) {
          p50 = e.getKey();
        }
        if (count > 0 && p99 == null && c >= 0.99 * count) {
          p99 = e.getKey();
        }
      }
      server.add(new JsonObject().put("node", j + 1).put("url", nodes.get(j))
          .put("cluster_members", get(a, "tessera_cluster_members"))
          .put("propagation_count", (long) count)
          .put("propagation_sum_s", round6(sum))
          .put("propagation_mean_ms", count > 0 ? round(sum / count * 1000) : null)
          .put("propagation_p50_bucket_le_s", p50 == null ? null : (p50.isInfinite() ? "+Inf" : fmtLe(p50)))
          .put("propagation_p99_bucket_le_s", p99 == null ? null : (p99.isInfinite() ? "+Inf" : fmtLe(p99)))
          .put("propagation_max_s", get(a, PROP + "_max"))
          .put("propagation_buckets", hist)
          .put("client_revocations_total", get(a, "tessera_revocations_total{reason=\"client\"}")
              - get(b, "tessera_revocations_total{reason=\"client\"}"))
          .put("cache_hits_during_run", get(a, "tessera_token_cache_hits_total") - get(b, "tessera_token_cache_hits_total"))
          .put("cache_misses_during_run", get(a, "tessera_token_cache_misses_total") - get(b, "tessera_token_cache_misses_total"))
          .put("cache_misses_warm_pass_2", warmMisses[j])
          .put("idle_introspect_rtt_ms", pct(idleRtt.get(j))));
    }

    return new JsonObject()
        .put("benchmark", "revocation-propagation")
        .put("finished_at", Instant.now().toString())
        .put("label", label)
        .put("settings", new JsonObject().put("nodes", n).put("tokens", tokens).put("read_tokens", readTokens)
            .put("rate_per_s", rate).put("warmup_revocations", warmupRevocations).put("readers", readers).put("poll_timeout_ms", pollTimeoutMs)
            .put("cores", Runtime.getRuntime().availableProcessors())
            .put("loadavg_at_end", loadavg()))
        .put("completed", finished)
        .put("client", client)
        .put("readers", readersJson)
        .put("server", server);
  }

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  static double maxLag(Rev r) {
    double m = 0;
    for (int j = 0; j < r.lagMs.length; j++) {
      if (j != r.origin) {
        m = Math.max(m, r.converged[j] ? r.lagMs[j] : Double.POSITIVE_INFINITY);
      }
    }
    return m;
  }

  static JsonObject pct(List<Double> xs) {
    JsonObject o = new JsonObject().put("n", xs.size());
    if (xs.isEmpty()) {
      return o;
    }
    double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return o.put("p50", round(rank(a, 0.50))).put("p90", round(rank(a, 0.90))).put("p99", round(rank(a, 0.99)))
        .put("max", round(a[a.length - 1])).put("mean", round(Arrays.stream(a).average().orElse(0)));
  }

  /** Nearest-rank percentile. */
  static double rank(double[] sorted, double p) {
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  static String markdown(JsonObject r) {
    JsonObject s = r.getJsonObject("settings"), c = r.getJsonObject("client"), rd = r.getJsonObject("readers");
    JsonObject lag = c.getJsonObject("lag_ms"), low = c.getJsonObject("lag_lower_bound_ms"), rv = c.getJsonObject("revoke_latency_ms");
    StringBuilder sb = new StringBuilder();
    sb.append("# Revocation propagation — ").append(r.getString("finished_at")).append("\n\n");
    if (!r.getString("label").isEmpty()) {
      sb.append(r.getString("label")).append("\n\n");
    }
    sb.append(String.format(Locale.ROOT, "%d nodes, %d revocations at %s/s round-robin (achieved %s/s) after %d uncounted warm-up revocations, %d reader threads on %d live tokens, %d cores%s.%n%n",
        s.getInteger("nodes"), s.getInteger("tokens"), num(s.getValue("rate_per_s")), num(c.getValue("achieved_rate_per_s")),
        s.getInteger("warmup_revocations"), s.getInteger("readers"), s.getInteger("read_tokens"), s.getInteger("cores"),
        r.getBoolean("completed") ? "" : " — **DID NOT COMPLETE**"));
    sb.append("Load average at the end (1/5/15 min, running/total, last pid): `").append(s.getString("loadavg_at_end")).append("`.\n\n");
    sb.append("## Client-observed (revoke 200 → first `active:false` on each other node)\n\n");
    sb.append("| revocations | node pairs | p50 lag ms | p90 lag ms | p99 lag ms | max lag ms | stale-active answers | pairs with stale | inactive on 1st poll | not converged | origin active after 200 |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %d | %d | %d | %d | %d |%n%n",
        c.getLong("revocations"), c.getLong("node_pairs"), num(lag.getValue("p50")), num(lag.getValue("p90")),
        num(lag.getValue("p99")), num(lag.getValue("max")), c.getLong("stale_active_answers"), c.getLong("stale_pairs"),
        c.getLong("inactive_on_first_poll"), c.getLong("not_converged_within_timeout"), c.getLong("origin_active_after_200")));
    sb.append(String.format(Locale.ROOT, "Lag is an upper bound (it includes the round trip of the poll that saw `active:false`); "
            + "lower bound (send time of the last stale poll) p50/p99/max = %s / %s / %s ms. "
            + "Revoke call latency p50/p99/max = %s / %s / %s ms; revoke failures %d; poll errors %d; "
            + "revocations started >5 ms late %d. "
            + "First poll: sent p50/p99 %s / %s ms after the 200, its round trip p50/p99 %s / %s ms.%n%n",
        num(low.getValue("p50")), num(low.getValue("p99")), num(low.getValue("max")),
        num(rv.getValue("p50")), num(rv.getValue("p99")), num(rv.getValue("max")),
        c.getLong("revoke_failed"), c.getLong("poll_errors"), c.getLong("late_starts_over_5ms"),
        num(c.getJsonObject("first_poll_start_delay_ms").getValue("p50")), num(c.getJsonObject("first_poll_start_delay_ms").getValue("p99")),
        num(c.getJsonObject("first_poll_rtt_ms").getValue("p50")), num(c.getJsonObject("first_poll_rtt_ms").getValue("p99"))));
    sb.append("| target node | pairs | p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|\n");
    for (Object o : c.getJsonArray("lag_ms_by_target_node")) {
      JsonObject t = (JsonObject) o, l = t.getJsonObject("lag_ms");
      sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s |%n", t.getInteger("node"), l.getInteger("n"),
          num(l.getValue("p50")), num(l.getValue("p99")), num(l.getValue("max"))));
    }
    sb.append("\n## Per node: `tessera_revocation_propagation_seconds` and cache counters (server, delta over the measured run); idle introspection round trip (client)\n\n");
    sb.append("| node | members | count | sum s | mean ms | p50 bucket (le s) | p99 bucket (le s) | max s | client revocations | cache hits | cache misses | warm pass-2 misses | idle introspect RTT p50/p99 ms |\n");
    sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Object o : r.getJsonArray("server")) {
      JsonObject t = (JsonObject) o;
      JsonObject rtt = t.getJsonObject("idle_introspect_rtt_ms");
      sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |%n",
          t.getInteger("node"), num(t.getValue("cluster_members")), t.getLong("propagation_count"),
          num(t.getValue("propagation_sum_s")), num(t.getValue("propagation_mean_ms")),
          t.getValue("propagation_p50_bucket_le_s"), t.getValue("propagation_p99_bucket_le_s"),
          num(t.getValue("propagation_max_s")), num(t.getValue("client_revocations_total")),
          num(t.getValue("cache_hits_during_run")), num(t.getValue("cache_misses_during_run")),
          num(t.getValue("cache_misses_warm_pass_2")), num(rtt.getValue("p50")), num(rtt.getValue("p99"))));
    }
    JsonObject rl = rd.getJsonObject("latency_ms");
    sb.append(String.format(Locale.ROOT, "%n## Readers (whole run, warm-up revocations included)%n%n%s introspections in %s s (%s/s) across all nodes, p50/p99 %s / %s ms, "
            + "errors %d, `active:false` for a live token %d.%n",
        rd.getLong("introspections"), num(rd.getValue("seconds")), num(rd.getValue("per_second")),
        num(rl.getValue("p50")), num(rl.getValue("p99")), rd.getLong("errors"), rd.getLong("inactive_answers_for_live_tokens")));
    JsonArray worst = c.getJsonArray("worst");
    if (!worst.isEmpty()) {
      sb.append("\n## Revocations with stale answers (worst first, up to 10)\n\n| origin | revoked at | revoke ms | targets (node: lag ms / stale answers) |\n|---:|---|---:|---|\n");
      for (Object o : worst) {
        JsonObject w = (JsonObject) o;
        StringBuilder t = new StringBuilder();
        for (Object x : w.getJsonArray("targets")) {
          JsonObject tt = (JsonObject) x;
          t.append(String.format(Locale.ROOT, "%d: %s / %d%s; ", tt.getInteger("node"), num(tt.getValue("lag_ms")),
              tt.getInteger("stale"), tt.getBoolean("converged") ? "" : " (not converged)"));
        }
        sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s |%n", w.getInteger("origin"), w.getString("revoked_at"),
            num(w.getValue("revoke_ms")), t));
      }
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------ util

  static String num(Object v) {
    if (v == null) {
      return "–";
    }
    if (v instanceof Number nb) {
      double d = nb.doubleValue();
      if (Double.isNaN(d)) {
        return "–";
      }
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return Long.toString((long) d);
      }
      return String.format(Locale.ROOT, Math.abs(d) < 1 ? "%.3g" : "%.2f", d);
    }
    return v.toString();
  }

  static String fmtLe(double le) {
    return new java.math.BigDecimal(Double.toString(le)).stripTrailingZeros().toPlainString();
  }

  static Double round(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : Math.round(d * 1000) / 1000.0;
  }

  static Double round6(double d) {
    return Double.isNaN(d) ? null : Math.round(d * 1e6) / 1e6;
  }

  static double secs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicLong c = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, name + "-" + c.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static String req(String key) {
    String v = opts.get(key);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("missing " + key + "=...");
    }
    return v;
  }

  static int intOpt(String key, int def) {
    return Integer.parseInt(opts.getOrDefault(key, Integer.toString(def)));
  }

  static void log(String fmt, Object... args) {
    System.err.printf(Locale.ROOT, "%tT driver: %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, fmt, args));
  }
}
