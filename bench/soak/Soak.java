// Soak driver for bench/soak.sh (issue 6 item 7): a steady mixed workload against 2-3 clustered Tessera
// nodes for a bounded time, with per-minute heap-after-GC, request counts, errors, stale-active answers,
// latency percentiles and cache sizes.
//
//   javac -cp tessera.jar -d /tmp/bench-classes bench/lib/BenchHttp.java   (shared HTTP helpers)
//   java -cp tessera.jar:/tmp/bench-classes bench/soak/Soak.java key=value ...
//
// Keys (defaults shown):
//   nodes=http://127.0.0.1:P1,...   required
//   pids=PID1,...                   required, the nodes' JVM pids in the same order (for jcmd)
//   admin_password=...              required, the nodes' TESSERA_ADMIN_PASSWORD
//   jdbc=jdbc:postgresql://...      optional; per-minute row counts of sessions / tokens / live revocations
//   logs=PATH1,...                  optional; the nodes' log files, WARN/ERROR lines are summarised at the end
//   minutes=10                      measured minutes (the run stops by itself after them)
//   signin=20 refresh=10 introspect=500 verify=500 revoke=10   operations per second
//   check_ms=1500                   after a revoke's 200, each other node is checked once after this long;
//                                   "active" then is a STALE-ACTIVE violation
//   users=8                         users signing in (round-robin)
//   threads=48 queue=4000           worker pool; operations that find the queue full are counted as shed
//   out=PATH_PREFIX                 required; writes PATH_PREFIX.md and PATH_PREFIX.json
//   label=...                       free text for the report
//
// Workload (open loop: operations are started on a fixed schedule whatever the latency; the per-second
// rates are spread evenly, round-robin over the nodes):
//   signin      password grant of the public app client -> a new session (access + refresh) joins the pool
//   refresh     rotate the refresh token of a random pooled session (never two at once for one session)
//   introspect  RFC 7662 by a confidential client, a random pooled session's current access token
//   verify      GET /auth/verify?scope=read with it
//   revoke      RFC 7009 by the app client on one node, of a pooled session that is at least 3 s old and was
//               just introspected (active) on every node, so every node has it cached. After the 200: the
//               same node is asked at once (read-your-writes: active = violation), every other node at once
//               (informational: "stale-immediate") and again after check_ms by introspection AND verify
//               (active / 200 = STALE-ACTIVE violation).
//   Sessions leave the pool when revoked or 15 s before their access token expires.
// Expected refusals (not errors): inactive / 401 / invalid_grant for a session the driver has revoked, and for
// an access token past its expiry. Everything else that is not a 2xx is an error, and so is "active:false"
// for a live token (a false rejection).
//
// Every minute (in a separate thread, so the load does not pause): the minute's counters are closed, then
// each node gets `jcmd <pid> GC.class_histogram` (a full GC, then the live objects: "Total" = live heap) and
// `jcmd <pid> GC.heap_info` (used right after that full GC), /metrics is scraped (tessera_token_cache_size
// and friends), and the row counts are read.
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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static benchlib.BenchHttp.*;

public class Soak {
  static final String[] OPS = {"signin", "refresh", "introspect", "verify", "revoke"};
  static final int SIGNIN = 0, REFRESH = 1, INTROSPECT = 2, VERIFY = 3, REVOKE = 4;

  static final Map<String, String> opts = new HashMap<>();
  static List<String> nodes;
  static long[] pids;
  static int n;
  static HttpClient http;
  static String introspectAuth;
  static String appClient;
  static String[] users;
  static String password;
  static long checkMs;
  static final AtomicLong seq = new AtomicLong();
  static final Pool pool = new Pool();
  static final AtomicReference<Minute> current = new AtomicReference<>();
  static final AtomicBoolean stopping = new AtomicBoolean();
  static ThreadPoolExecutor workers;
  static ScheduledExecutorService sched;
  static final ConcurrentLinkedQueue<String> incidents = new ConcurrentLinkedQueue<>();
  static final AtomicInteger incidentCount = new AtomicInteger();

  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("expected key=value, got " + a);
      }
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    if (opts.containsKey("rerender")) {
      rerender(opts.get("rerender"));
      return;
    }
    nodes = List.of(req("nodes").split(","));
    n = nodes.size();
    pids = Arrays.stream(req("pids").split(",")).mapToLong(Long::parseLong).toArray();
    if (pids.length != n) {
      throw new IllegalArgumentException("pids and nodes differ in length");
    }
    int minutes = intOpt("minutes", 10);
    double[] rates = new double[OPS.length];
    double[] defaults = {20, 10, 500, 500, 10};
    for (int i = 0; i < OPS.length; i++) {
      rates[i] = Double.parseDouble(opts.getOrDefault(OPS[i], Double.toString(defaults[i])));
    }
    checkMs = intOpt("check_ms", 1500);
    int threads = intOpt("threads", 48);
    String out = req("out");
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(Executors.newFixedThreadPool(4, daemon("http")))
        .build();
    benchlib.BenchHttp.init(http, nodes);
    workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(intOpt("queue", 4000)), daemon("worker"));
    sched = Executors.newScheduledThreadPool(2, daemon("sched"));

    // ---- setup through the admin API
    String suffix = Long.toString(System.currentTimeMillis(), 36);
    JsonObject adminTok = form(0, "/oauth2/token", null, Map.of("grant_type", "password", "client_id", "tessera-cli",
        "username", "admin", "password", req("admin_password"), "scope", "admin"), 200);
    String admin = "Bearer " + adminTok.getString("access_token");
    String introspector = "soak-introspector-" + suffix;
    JsonObject created = json(0, "/admin/api/clients", admin, new JsonObject().put("client_id", introspector)
        .put("name", "soak introspector").put("confidential", true)
        .put("grant_types", new JsonArray().add("client_credentials")).put("scopes", new JsonArray().add("read"))
        .put("introspect", true), 201);
    introspectAuth = "Basic " + Base64.getEncoder().encodeToString(
        (introspector + ":" + created.getString("client_secret")).getBytes(StandardCharsets.UTF_8));
    appClient = "soak-app-" + suffix;
    json(0, "/admin/api/clients", admin, new JsonObject().put("client_id", appClient).put("name", "soak app")
        .put("confidential", false).put("grant_types", new JsonArray().add("password").add("refresh_token"))
        .put("scopes", new JsonArray().add("read").add("write")), 201);
    users = new String[intOpt("users", 8)];
    password = "pw-" + suffix + "-" + ThreadLocalRandom.current().nextLong();
    for (int i = 0; i < users.length; i++) {
      users[i] = "soak-user-" + i + "-" + suffix;
      json(i % n, "/admin/api/users", admin, new JsonObject().put("username", users[i]).put("password", password)
          .put("scopes", new JsonArray().add("read").add("write")), 201);
    }
    // A first few sessions so readers have something from the first second on (not counted).
    current.set(new Minute(0));
    for (int i = 0; i < 60; i++) {
      signin();
    }
    log("setup: 2 clients, %d users, %d sessions; %d nodes; rates/s signin %s refresh %s introspect %s verify %s revoke %s; %d minutes",
        users.length, pool.size(), n, num(rates[0]), num(rates[1]), num(rates[2]), num(rates[3]), num(rates[4]), minutes);

    // ---- run
    List<JsonObject> minuteRows = new ArrayList<>();
    long start = System.nanoTime();
    current.set(new Minute(1));
    long[] issued = new long[OPS.length];
    // One pacer: every 10 ms start whatever each schedule says is due by now.
    sched.scheduleAtFixedRate(() -> {
      double elapsed = (System.nanoTime() - start) / 1e9;
      for (int op = 0; op < OPS.length; op++) {
        long due = (long) Math.floor(rates[op] * elapsed);
        while (issued[op] < due && !stopping.get()) {
          issued[op]++;
          submit(op);
        }
      }
    }, 0, 10, TimeUnit.MILLISECONDS);
    sched.scheduleAtFixedRate(pool::dropExpiring, 1, 1, TimeUnit.SECONDS);

    JsonObject firstHisto = null;
    JsonObject lastHisto = null;
    for (int m = 1; m <= minutes; m++) {
      long endOfMinute = start + m * 60_000_000_000L;
      sleepUntil(endOfMinute);
      Minute closed = current.getAndSet(m < minutes ? new Minute(m + 1) : new Minute(m + 1));
      if (m == minutes) {
        stopping.set(true);
      }
      // Let the minute's in-flight requests (and its pending +check_ms checks) land in it before it is read.
      Thread.sleep(Math.min(checkMs + 2000, 5000));
      Measured measured = measure(m == 1 || m == minutes);
      if (m == 1) {
        firstHisto = measured.histograms;
      }
      if (m == minutes) {
        lastHisto = measured.histograms;
      }
      JsonObject row = closed.toJson(measured, pool.size());
      minuteRows.add(row);
      System.err.println(oneLine(row));
    }
    sched.shutdownNow();
    workers.shutdown();
    workers.awaitTermination(15, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;

    JsonObject result = report(minuteRows, rates, minutes, seconds, firstHisto, lastHisto);
    Files.writeString(Path.of(out + ".json"), result.encodePrettily() + "\n");
    String md = markdown(result);
    Files.writeString(Path.of(out + ".md"), md);
    System.out.println(md);
    System.exit(0);
  }

  // ------------------------------------------------------------------------------------------------ pool

  static final class Sess {
    final long id = seq.incrementAndGet();
    final int origin;
    volatile String access;
    volatile String refresh;
    volatile long accessExpMs;
    volatile long bornMs;
    final AtomicBoolean busy = new AtomicBoolean();    // a refresh or the revocation owns it
    volatile boolean revoked;                          // set before the revoke request is sent
    int idx = -1;                                      // position in the pool, under the pool's lock

    Sess(int origin, String access, String refresh, long expiresInS) {
      this.origin = origin;
      set(access, refresh, expiresInS);
    }

    void set(String access, String refresh, long expiresInS) {
      long now = System.currentTimeMillis();
      this.access = access;
      this.refresh = refresh;
      this.accessExpMs = now + expiresInS * 1000;
      this.bornMs = now;
    }
  }

  /** Live sessions; random pick and removal in O(1). */
  static final class Pool {
    private final ArrayList<Sess> list = new ArrayList<>();

    synchronized void add(Sess s) {
      s.idx = list.size();
      list.add(s);
    }

    synchronized void remove(Sess s) {
      int i = s.idx;
      if (i < 0) {
        return;
      }
      Sess last = list.remove(list.size() - 1);
      if (last != s) {
        list.set(i, last);
        last.idx = i;
      }
      s.idx = -1;
    }

    synchronized Sess random() {
      return list.isEmpty() ? null : list.get(ThreadLocalRandom.current().nextInt(list.size()));
    }

    /** A random session at least minAgeMs old that nobody else owns, now owned by the caller; or null. */
    Sess claim(long minAgeMs) {
      long now = System.currentTimeMillis();
      for (int tries = 0; tries < 20; tries++) {
        Sess s = random();
        if (s != null && now - s.bornMs >= minAgeMs && s.accessExpMs - now > 20_000 && s.busy.compareAndSet(false, true)) {
          return s;
        }
      }
      return null;
    }

    synchronized int size() {
      return list.size();
    }

    void dropExpiring() {
      long limit = System.currentTimeMillis() + 15_000;
      List<Sess> old = new ArrayList<>();
      synchronized (this) {
        for (Sess s : list) {
          if (s.accessExpMs < limit) {
            old.add(s);
          }
        }
      }
      for (Sess s : old) {
        remove(s);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ operations

  static final AtomicLong rr = new AtomicLong();

  static int nextNode() {
    return (int) (rr.getAndIncrement() % n);
  }

  static void submit(int op) {
    Minute m = current.get();
    try {
      workers.execute(() -> {
        try {
          switch (op) {
            case SIGNIN -> signin();
            case REFRESH -> refresh();
            case INTROSPECT -> read(true);
            case VERIFY -> read(false);
            case REVOKE -> revoke();
            default -> throw new IllegalStateException();
          }
        } catch (Exception e) {
          current.get().error(op, "exception " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
      });
    } catch (RejectedExecutionException e) {
      m.shed.increment();
    }
  }

  static void signin() throws Exception {
    int node = nextNode();
    String user = users[ThreadLocalRandom.current().nextInt(users.length)];
    long s = System.nanoTime();
    HttpResponse<String> r = post(node, "/oauth2/token", null, encode(Map.of("grant_type", "password", "client_id", appClient,
        "username", user, "password", password, "scope", "read write", "device_name", "soak")), "application/x-www-form-urlencoded");
    Minute m = current.get();
    m.done(SIGNIN, s);
    if (r.statusCode() != 200) {
      m.error(SIGNIN, "signin node " + (node + 1) + " -> " + r.statusCode() + " " + abbreviate(r.body()));
      return;
    }
    JsonObject tok = new JsonObject(r.body());
    pool.add(new Sess(node, tok.getString("access_token"), tok.getString("refresh_token"), tok.getLong("expires_in")));
  }

  static void refresh() throws Exception {
    Sess sess = pool.claim(0);
    if (sess == null) {
      current.get().skipped.increment();
      return;
    }
    try {
      int node = nextNode();
      long s = System.nanoTime();
      HttpResponse<String> r = post(node, "/oauth2/token", null, encode(Map.of("grant_type", "refresh_token",
          "client_id", appClient, "refresh_token", sess.refresh)), "application/x-www-form-urlencoded");
      Minute m = current.get();
      m.done(REFRESH, s);
      if (r.statusCode() == 200) {
        JsonObject tok = new JsonObject(r.body());
        sess.set(tok.getString("access_token"), tok.getString("refresh_token"), tok.getLong("expires_in"));
      } else if (sess.revoked && r.statusCode() == 400) {
        m.expected[REFRESH].increment();
      } else {
        m.error(REFRESH, "refresh session " + sess.id + " node " + (node + 1) + " -> " + r.statusCode() + " " + abbreviate(r.body()));
      }
    } finally {
      sess.busy.set(false);
    }
  }

  /** One introspection or verify of a random pooled session's current access token. */
  static void read(boolean introspect) throws Exception {
    Sess sess = pool.random();
    if (sess == null) {
      current.get().skipped.increment();
      return;
    }
    String token = sess.access;
    long exp = sess.accessExpMs;
    int node = nextNode();
    int op = introspect ? INTROSPECT : VERIFY;
    long s = System.nanoTime();
    Boolean active = introspect ? introspect(node, token) : verify(node, token);
    Minute m = current.get();
    m.done(op, s);
    if (active == null) {
      m.error(op, OPS[op] + " node " + (node + 1) + " -> " + lastStatus.get());
    } else if (!active) {
      if (sess.revoked || System.currentTimeMillis() >= exp - 1000) {
        m.expected[op].increment();
      } else {
        m.error(op, "FALSE-INACTIVE: " + OPS[op] + " of live session " + sess.id + " on node " + (node + 1)
            + " (" + (token.equals(sess.access) ? "current" : "previous") + " access token, expires in "
            + (exp - System.currentTimeMillis()) / 1000 + " s)");
      }
    }
  }

  static void revoke() throws Exception {
    Sess sess = pool.claim(3000);
    if (sess == null) {
      current.get().skipped.increment();
      return;
    }
    String token = sess.access;
    // Every node has it cached (and says active) before the revoke: the run measures eviction, not a miss.
    for (int j = 0; j < n; j++) {
      Boolean active = introspect(j, token);
      if (active == null || !active) {
        // Not a revocation test any more; give the session back.
        current.get().error(INTROSPECT, "pre-revoke introspection of live session " + sess.id + " on node " + (j + 1)
            + " -> " + (active == null ? "status " + lastStatus.get() : "inactive"));
        sess.busy.set(false);
        return;
      }
    }
    pool.remove(sess);
    sess.revoked = true;
    int origin = nextNode();
    long s = System.nanoTime();
    HttpResponse<String> r = post(origin, "/oauth2/revoke", null, encode(Map.of("token", token, "client_id", appClient)),
        "application/x-www-form-urlencoded");
    long t0 = System.nanoTime();
    Minute m = current.get();
    m.done(REVOKE, s);
    if (r.statusCode() != 200) {
      m.error(REVOKE, "revoke node " + (origin + 1) + " -> " + r.statusCode() + " " + abbreviate(r.body()));
      return;
    }
    // Read-your-writes on the node that answered.
    Boolean o = introspect(origin, token);
    if (o == null) {
      m.error(INTROSPECT, "post-revoke introspection on origin node " + (origin + 1) + " -> " + lastStatus.get());
    } else if (o) {
      m.staleActive.increment();
      m.originStale.increment();
      incident("ORIGIN STALE-ACTIVE: session %d revoked on node %d, same node still says active right after the 200",
          sess.id, origin + 1);
    }
    for (int j = 0; j < n; j++) {
      if (j == origin) {
        continue;
      }
      int node = j;
      Boolean a = introspect(node, token);
      if (a != null && a) {
        m.staleImmediate.increment();
      }
      long delay = Math.max(0, checkMs * 1_000_000L - (System.nanoTime() - t0));
      sched.schedule(() -> workers.execute(() -> check(sess, token, origin, node, t0, m)), delay, TimeUnit.NANOSECONDS);
    }
    m.revocations.increment();
  }

  /** The guarantee: check_ms after the revoke's 200, no node answers active. */
  static void check(Sess sess, String token, int origin, int node, long t0, Minute m) {
    try {
      double after = (System.nanoTime() - t0) / 1e6;
      Boolean a = introspect(node, token);
      Boolean v = verify(node, token);
      m.checks.increment();
      if (a == null || v == null) {
        m.error(INTROSPECT, "stale check on node " + (node + 1) + " -> " + lastStatus.get());
      }
      if ((a != null && a) || (v != null && v)) {
        m.staleActive.increment();
        incident("STALE-ACTIVE: session %d revoked on node %d; node %d %s %.0f ms after the 200", sess.id, origin + 1,
            node + 1, (a != null && a ? "introspect active" : "") + (v != null && v ? " verify 200" : ""), after);
      }
    } catch (Exception e) {
      m.error(INTROSPECT, "stale check exception: " + e);
    }
  }

  static void incident(String fmt, Object... args) {
    String s = Instant.now() + " " + String.format(Locale.ROOT, fmt, args);
    System.err.println(s);
    if (incidentCount.incrementAndGet() <= 50) {
      incidents.add(s);
    }
  }

  // ------------------------------------------------------------------------------------------------ minute stats

  static final class Lat {
    private long[] us = new long[4096];
    private int size;

    synchronized void add(long v) {
      if (size == us.length) {
        us = Arrays.copyOf(us, size * 2);
      }
      us[size++] = v;
    }

    synchronized long[] sorted() {
      long[] a = Arrays.copyOf(us, size);
      Arrays.sort(a);
      return a;
    }
  }

  static final class Minute {
    final int index;
    final long startedMs = System.currentTimeMillis();
    final LongAdder[] count = adders(), errors = adders(), expected = adders();
    final Lat[] lat = new Lat[OPS.length];
    final LongAdder shed = new LongAdder(), skipped = new LongAdder(), staleActive = new LongAdder(),
        originStale = new LongAdder(), staleImmediate = new LongAdder(), revocations = new LongAdder(), checks = new LongAdder();
    final ConcurrentLinkedQueue<String> errorSamples = new ConcurrentLinkedQueue<>();
    final AtomicInteger sampled = new AtomicInteger();

    Minute(int index) {
      this.index = index;
      for (int i = 0; i < OPS.length; i++) {
        lat[i] = new Lat();
      }
    }

    void done(int op, long startNanos) {
      count[op].increment();
      lat[op].add((System.nanoTime() - startNanos) / 1000);
    }

    void error(int op, String what) {
      errors[op].increment();
      if (sampled.incrementAndGet() <= 5) {
        errorSamples.add(what);
        System.err.println(Instant.now() + " error: " + what);
      }
    }

    JsonObject toJson(Measured measured, int poolSize) {
      JsonObject ops = new JsonObject();
      long errs = 0;
      for (int i = 0; i < OPS.length; i++) {
        long[] a = lat[i].sorted();
        errs += errors[i].sum();
        ops.put(OPS[i], new JsonObject().put("count", count[i].sum()).put("errors", errors[i].sum())
            .put("expected_refusals", expected[i].sum())
            .put("p50_ms", a.length == 0 ? null : rank(a, 0.50) / 1000.0)
            .put("p99_ms", a.length == 0 ? null : rank(a, 0.99) / 1000.0)
            .put("max_ms", a.length == 0 ? null : a[a.length - 1] / 1000.0));
      }
      return new JsonObject().put("minute", index).put("started_at", Instant.ofEpochMilli(startedMs).toString())
          .put("ops", ops).put("errors", errs).put("shed", shed.sum()).put("skipped_empty_pool", skipped.sum())
          .put("revocations", revocations.sum()).put("stale_checks", checks.sum())
          .put("stale_active", staleActive.sum()).put("origin_stale_active", originStale.sum())
          .put("stale_immediate_info", staleImmediate.sum())
          .put("pool_sessions", poolSize)
          .put("error_samples", new JsonArray(new ArrayList<>(errorSamples)))
          .put("nodes", measured.nodes).put("db", measured.db)
          .put("loadavg", loadavg());
    }
  }

  static LongAdder[] adders() {
    LongAdder[] a = new LongAdder[OPS.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = new LongAdder();
    }
    return a;
  }

  // ------------------------------------------------------------------------------------------------ measurement

  static final class Measured {
    JsonArray nodes = new JsonArray();
    JsonObject db = new JsonObject();
    JsonObject histograms = new JsonObject();
  }

  static final Pattern HISTO_ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  static final Pattern HISTO_TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
  static final Pattern HEAP_USED = Pattern.compile("heap\\s+total (\\d+)K, used (\\d+)K");

  static Measured measure(boolean keepHistogram) {
    Measured out = new Measured();
    for (int j = 0; j < n; j++) {
      JsonObject node = new JsonObject().put("node", j + 1);
      try {
        long t = System.nanoTime();
        String histo = jcmd(pids[j], "GC.class_histogram");
        double gcMs = (System.nanoTime() - t) / 1e6;
        String info = jcmd(pids[j], "GC.heap_info");
        long liveBytes = -1;
        Map<String, long[]> classes = new LinkedHashMap<>();
        for (String line : histo.split("\n")) {
          Matcher mt = HISTO_TOTAL.matcher(line);
          if (mt.find()) {
            liveBytes = Long.parseLong(mt.group(2));
            continue;
          }
          mt = HISTO_ROW.matcher(line);
          if (mt.find()) {
            classes.put(mt.group(3), new long[] {Long.parseLong(mt.group(1)), Long.parseLong(mt.group(2))});
          }
        }
        node.put("heap_live_mb", liveBytes < 0 ? null : round(liveBytes / 1048576.0)).put("histogram_ms", round(gcMs));
        Matcher hu = HEAP_USED.matcher(info);
        if (hu.find()) {
          node.put("heap_used_after_gc_mb", round(Long.parseLong(hu.group(2)) / 1024.0))
              .put("heap_committed_mb", round(Long.parseLong(hu.group(1)) / 1024.0));
        }
        if (keepHistogram) {
          JsonObject h = new JsonObject();
          classes.forEach((k, v) -> h.put(k, new JsonArray().add(v[0]).add(v[1])));
          out.histograms.put(Integer.toString(j + 1), h);
        }
      } catch (Exception e) {
        node.put("jcmd_error", e.toString());
      }
      try (var fds = Files.list(Path.of("/proc/" + pids[j] + "/fd"))) {
        node.put("open_fds", fds.count());
        for (String line : Files.readAllLines(Path.of("/proc/" + pids[j] + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            node.put("rss_mb", round(Long.parseLong(line.replaceAll("\\D", "")) / 1024.0));
          }
        }
      } catch (Exception e) {
        node.put("proc_error", e.toString());
      }
      try {
        Map<String, Double> mt = scrape(j);
        node.put("token_cache_size", get(mt, "tessera_token_cache_size"))
            .put("cluster_members", get(mt, "tessera_cluster_members"))
            .put("threads", first(mt, "jvm_threads_live_threads", "jvm_threads_live"));
      } catch (Exception e) {
        node.put("metrics_error", e.toString());
      }
      out.nodes.add(node);
    }
    String jdbc = opts.get("jdbc");
    if (jdbc != null && !jdbc.isEmpty()) {
      try {
        Class.forName("org.postgresql.Driver");
      } catch (ClassNotFoundException e) {
        out.db.put("error", "no PostgreSQL JDBC driver on the classpath");
        return out;
      }
      try (Connection c = DriverManager.getConnection(jdbc, "postgres", ""); Statement st = c.createStatement()) {
        out.db.put("sessions", count(st, "select count(*) from sessions"))
            .put("sessions_unrevoked_unexpired", count(st, "select count(*) from sessions where revoked_at is null and expires_at > now()"))
            .put("tokens", count(st, "select count(*) from tokens"))
            .put("revocations", count(st, "select count(*) from revocations"))
            .put("revocations_live", count(st, "select count(*) from revocations where expires_at > now()"))
            .put("revoked_sessions_remembered", count(st, "select coalesce(sum(cardinality(session_ids)), 0) from revocations where expires_at > now()"))
            .put("audit_events", count(st, "select count(*) from audit_events"));
      } catch (Exception e) {
        out.db.put("error", e.toString());
      }
    }
    return out;
  }

  static long count(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String jcmd(long pid, String command) throws Exception {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd " + command + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException("jcmd " + command + " exit " + p.exitValue() + ": " + abbreviate(new String(bytes, StandardCharsets.UTF_8)));
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

  static Map<String, Double> scrape(int node) throws Exception {
    HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    Map<String, Double> m = new TreeMap<>();
    for (String line : resp.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher mt = SAMPLE.matcher(line);
      if (mt.find()) {
        try {
          m.put(mt.group(1) + (mt.group(2) == null ? "" : mt.group(2)), Double.parseDouble(mt.group(3)));
        } catch (NumberFormatException ignored) {
          // not a number
        }
      }
    }
    return m;
  }

  /** Sum of every series of that name (any labels); null if absent. */
  static Double get(Map<String, Double> m, String name) {
    double sum = 0;
    boolean any = false;
    for (Map.Entry<String, Double> e : m.entrySet()) {
      if (e.getKey().equals(name) || e.getKey().startsWith(name + "{")) {
        sum += e.getValue();
        any = true;
      }
    }
    return any ? sum : null;
  }

  static Double first(Map<String, Double> m, String... names) {
    for (String name : names) {
      Double v = get(m, name);
      if (v != null) {
        return v;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------------ http

  static final ThreadLocal<Integer> lastStatus = ThreadLocal.withInitial(() -> 0);

  /** active flag, or null on a non-200 answer. */
  static Boolean introspect(int node, String token) throws IOException, InterruptedException {
    HttpResponse<String> resp = post(node, "/oauth2/introspect", introspectAuth, "token=" + token,
        "application/x-www-form-urlencoded");
    lastStatus.set(resp.statusCode());
    if (resp.statusCode() != 200) {
      return null;
    }
    return resp.body().startsWith("{\"active\":true");
  }

  /** true on 200, false on 401 (invalid_token), null on anything else. */
  static Boolean verify(int node, String token) throws IOException, InterruptedException {
    HttpResponse<Void> resp = http.send(HttpRequest.newBuilder(URI.create(nodes.get(node) + "/auth/verify?scope=read"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.discarding());
    lastStatus.set(resp.statusCode());
    return switch (resp.statusCode()) {
      case 200 -> true;
      case 401 -> false;
      default -> null;
    };
  }

  // ------------------------------------------------------------------------------------------------ report

  static JsonObject report(List<JsonObject> rows, double[] rates, int minutes, double seconds, JsonObject firstHisto,
                           JsonObject lastHisto) {
    long errors = 0, stale = 0, staleImmediate = 0, revocations = 0, shed = 0, originStale = 0, checks = 0;
    long[] totals = new long[OPS.length];
    for (JsonObject r : rows) {
      errors += r.getLong("errors");
      stale += r.getLong("stale_active");
      originStale += r.getLong("origin_stale_active");
      staleImmediate += r.getLong("stale_immediate_info");
      revocations += r.getLong("revocations");
      checks += r.getLong("stale_checks");
      shed += r.getLong("shed");
      for (int i = 0; i < OPS.length; i++) {
        totals[i] += r.getJsonObject("ops").getJsonObject(OPS[i]).getLong("count");
      }
    }
    JsonObject verdicts = verdicts(rows, n);
    JsonObject grew = new JsonObject();
    if (firstHisto != null && lastHisto != null) {
      for (int j = 0; j < n; j++) {
        String k = Integer.toString(j + 1);
        grew.put(k, histoDiff(firstHisto.getJsonObject(k), lastHisto.getJsonObject(k)));
      }
    }
    JsonArray logs = new JsonArray();
    String logPaths = opts.get("logs");
    if (logPaths != null && !logPaths.isEmpty()) {
      String[] paths = logPaths.split(",");
      for (int j = 0; j < paths.length; j++) {
        logs.add(logSummary(j + 1, Path.of(paths[j])));
      }
    }
    JsonArray gcs = new JsonArray();
    String gcPaths = opts.get("gc_logs");
    if (gcPaths != null && !gcPaths.isEmpty()) {
      String[] paths = gcPaths.split(",");
      for (int j = 0; j < paths.length; j++) {
        gcs.add(gcSummary(j + 1, Path.of(paths[j])));
      }
    }
    JsonObject rateJson = new JsonObject();
    for (int i = 0; i < OPS.length; i++) {
      rateJson.put(OPS[i], rates[i]);
    }
    return new JsonObject()
        .put("benchmark", "soak")
        .put("finished_at", Instant.now().toString())
        .put("label", opts.getOrDefault("label", ""))
        .put("settings", new JsonObject().put("nodes", n).put("minutes", minutes).put("rates_per_s", rateJson)
            .put("check_ms", checkMs).put("users", users.length).put("threads", workers.getMaximumPoolSize())
            .put("cores", Runtime.getRuntime().availableProcessors()))
        .put("seconds", round(seconds))
        .put("totals", new JsonObject().put("requests", new JsonObject()
                .put("signin", totals[0]).put("refresh", totals[1]).put("introspect", totals[2]).put("verify", totals[3])
                .put("revoke", totals[4]))
            .put("errors", errors).put("stale_active", stale).put("origin_stale_active", originStale)
            .put("stale_checks", checks).put("stale_immediate_info", staleImmediate).put("revocations", revocations)
            .put("shed", shed))
        .put("heap_growth", verdicts.getJsonObject("heap_growth"))
        .put("warnings", verdicts.getJsonArray("warnings"))
        .put("histogram_growth_first_to_last", grew)
        .put("incidents", new JsonArray(new ArrayList<>(incidents)))
        .put("node_logs", logs)
        .put("gc", gcs)
        .put("minutes", new JsonArray(rows));
  }

  /**
   * Heap growth (first -> last minute; minute 2 -> last > 20 % is a warning) and the other things that must not
   * grow without bound: token cache size, threads, open files. Those reach their steady state only after the
   * longest lifetime of what they hold (the cache keeps revoked tokens' "inactive" entries 5 minutes), so they are
   * flagged when they grew > 20 % over the second half of the run (threads: and by more than 5).
   */
  static JsonObject verdicts(List<JsonObject> rows, int n) {
    JsonArray perNode = new JsonArray();
    List<String> warnings = new ArrayList<>();
    double[] sumByMinute = new double[rows.size()];
    for (int j = 0; j < n; j++) {
      double[] h = series(rows, j, "heap_live_mb");
      for (int m = 0; m < rows.size(); m++) {
        sumByMinute[m] += h[m];
      }
      JsonObject g = growth(h);
      g.put("node", j + 1);
      perNode.add(g);
      if (g.getBoolean("warning", false)) {
        warnings.add(String.format(Locale.ROOT, "node %d: live heap grew %s MB (%s%%) from minute 2 to minute %d",
            j + 1, num(g.getValue("after_2_mb")), num(g.getValue("after_2_pct")), rows.size()));
      }
    }
    JsonObject total = growth(sumByMinute);
    if (total.getBoolean("warning", false)) {
      warnings.add(String.format(Locale.ROOT, "all nodes: live heap grew %s MB (%s%%) from minute 2 to minute %d",
          num(total.getValue("after_2_mb")), num(total.getValue("after_2_pct")), rows.size()));
    }
    int mid = Math.max(0, (rows.size() + 1) / 2 - 1);
    for (int j = 0; j < n; j++) {
      for (String key : List.of("token_cache_size", "threads", "open_fds")) {
        double[] v = series(rows, j, key);
        if (v.length < 2 || Double.isNaN(v[mid]) || Double.isNaN(v[v.length - 1]) || v[mid] <= 0) {
          continue;
        }
        double up = v[v.length - 1] - v[mid];
        if (up / v[mid] > 0.20 && (!key.equals("threads") || up > 5)) {
          warnings.add(String.format(Locale.ROOT, "node %d: %s grew from %s (minute %d) to %s (minute %d)", j + 1, key,
              num(v[mid]), mid + 1, num(v[v.length - 1]), rows.size()));
        }
      }
    }
    return new JsonObject().put("heap_growth", new JsonObject().put("all_nodes", total).put("per_node", perNode))
        .put("warnings", new JsonArray(warnings));
  }

  static double[] series(List<JsonObject> rows, int node, String key) {
    double[] v = new double[rows.size()];
    for (int m = 0; m < rows.size(); m++) {
      Double x = rows.get(m).getJsonArray("nodes").getJsonObject(node).getDouble(key);
      v[m] = x == null ? Double.NaN : x;
    }
    return v;
  }

  /** Recomputes the verdicts of an earlier result (e.g. after a change to the rules) and rewrites its .md and .json. */
  static void rerender(String json) throws IOException {
    JsonObject r = new JsonObject(Files.readString(Path.of(json)));
    List<JsonObject> rows = new ArrayList<>();
    r.getJsonArray("minutes").forEach(o -> rows.add((JsonObject) o));
    JsonObject v = verdicts(rows, r.getJsonObject("settings").getInteger("nodes"));
    r.put("heap_growth", v.getJsonObject("heap_growth")).put("warnings", v.getJsonArray("warnings"));
    String prefix = json.substring(0, json.length() - ".json".length());
    Files.writeString(Path.of(json), r.encodePrettily() + "\n");
    Files.writeString(Path.of(prefix + ".md"), markdown(r));
    System.out.println(markdown(r));
  }

  /** first->last and (minute 2)->last growth of a series; warning when the latter is above 20 %. */
  static JsonObject growth(double[] v) {
    JsonObject g = new JsonObject();
    if (v.length == 0) {
      return g;
    }
    double first = v[0], last = v[v.length - 1];
    g.put("first_mb", round(first)).put("last_mb", round(last)).put("growth_mb", round(last - first))
        .put("growth_pct", first > 0 ? round((last - first) / first * 100) : null)
        .put("max_mb", round(Arrays.stream(v).filter(x -> !Double.isNaN(x)).max().orElse(Double.NaN)));
    if (v.length >= 3) {
      double base = v[1];
      g.put("after_2_mb", round(last - base)).put("after_2_pct", base > 0 ? round((last - base) / base * 100) : null);
      g.put("warning", base > 0 && (last - base) / base > 0.20);
      // Least-squares slope over minutes 2..last (per minute).
      double sx = 0, sy = 0, sxx = 0, sxy = 0;
      int k = 0;
      for (int i = 1; i < v.length; i++) {
        if (!Double.isNaN(v[i])) {
          sx += i;
          sy += v[i];
          sxx += (double) i * i;
          sxy += i * v[i];
          k++;
        }
      }
      if (k >= 2) {
        g.put("slope_per_minute_after_1", round((k * sxy - sx * sy) / (k * sxx - sx * sx)));
      }
    }
    return g;
  }

  static JsonArray histoDiff(JsonObject a, JsonObject b) {
    if (a == null || b == null) {
      return new JsonArray();
    }
    List<Object[]> diffs = new ArrayList<>();
    for (String cls : b.fieldNames()) {
      JsonArray nb = b.getJsonArray(cls);
      JsonArray na = a.getJsonArray(cls);
      long di = nb.getLong(0) - (na == null ? 0 : na.getLong(0));
      long db = nb.getLong(1) - (na == null ? 0 : na.getLong(1));
      diffs.add(new Object[] {cls, di, db});
    }
    diffs.sort((x, y) -> Long.compare((long) y[2], (long) x[2]));
    JsonArray out = new JsonArray();
    for (Object[] d : diffs.subList(0, Math.min(8, diffs.size()))) {
      out.add(new JsonObject().put("class", d[0]).put("instances", d[1]).put("bytes", d[2]));
    }
    return out;
  }

  // [12.345s][info][gc] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 45M->12M(128M) 3.456ms
  static final Pattern GC_LINE = Pattern.compile("GC\\(\\d+\\) (Pause (?:Young|Full|Remark|Cleanup).*?)\\s(\\d+)M->(\\d+)M\\((\\d+)M\\) ([\\d.]+)ms");

  /** Pauses from the node's -Xlog:gc file: count, total and max per kind. */
  static JsonObject gcSummary(int node, Path path) {
    JsonObject o = new JsonObject().put("node", node);
    try {
      Map<String, double[]> kinds = new TreeMap<>(); // count, total ms, max ms
      for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
        Matcher mt = GC_LINE.matcher(line);
        if (mt.find()) {
          String kind = mt.group(1).trim().replaceAll("\\s+", " ");
          double ms = Double.parseDouble(mt.group(5));
          double[] k = kinds.computeIfAbsent(kind, x -> new double[3]);
          k[0]++;
          k[1] += ms;
          k[2] = Math.max(k[2], ms);
        }
      }
      JsonArray a = new JsonArray();
      kinds.forEach((k, v) -> a.add(new JsonObject().put("kind", k).put("count", (long) v[0]).put("total_ms", round(v[1]))
          .put("max_ms", round(v[2]))));
      o.put("pauses", a);
    } catch (IOException e) {
      o.put("read_error", e.toString());
    }
    return o;
  }

  static final Pattern LEVEL = Pattern.compile("\\b(WARN|ERROR)\\b");

  static JsonObject logSummary(int node, Path path) {
    JsonObject o = new JsonObject().put("node", node);
    try {
      long warn = 0, error = 0;
      Map<String, Long> distinct = new LinkedHashMap<>();
      Map<String, String> example = new HashMap<>();
      for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
        Matcher mt = LEVEL.matcher(line);
        if (!mt.find() || line.contains("phone.home") || line.contains("phone home")) {
          continue;
        }
        if (mt.group(1).equals("WARN")) {
          warn++;
        } else {
          error++;
        }
        // Group by the message with digits blanked, so "took 123 ms" lines count as one kind.
        String key = line.substring(mt.start()).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>").replaceAll("\\d+", "N");
        key = key.length() > 200 ? key.substring(0, 200) : key;
        distinct.merge(key, 1L, Long::sum);
        example.putIfAbsent(key, line.length() > 400 ? line.substring(0, 400) : line);
      }
      JsonArray kinds = new JsonArray();
      distinct.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(10)
          .forEach(e -> kinds.add(new JsonObject().put("count", e.getValue()).put("example", example.get(e.getKey()))));
      o.put("warn", warn).put("error", error).put("kinds", kinds);
    } catch (IOException e) {
      o.put("read_error", e.toString());
    }
    return o;
  }

  static String markdown(JsonObject r) {
    JsonObject s = r.getJsonObject("settings"), t = r.getJsonObject("totals"), rates = s.getJsonObject("rates_per_s");
    JsonArray rows = r.getJsonArray("minutes");
    int nn = s.getInteger("nodes");
    StringBuilder sb = new StringBuilder();
    sb.append("# Soak — ").append(r.getString("finished_at")).append("\n\n");
    if (!r.getString("label").isEmpty()) {
      sb.append(r.getString("label")).append("\n\n");
    }
    sb.append(String.format(Locale.ROOT, "%d nodes, %d minutes (%s s), %d cores. Offered load per second: %s sign-ins, %s refreshes, "
            + "%s introspections, %s verifies, %s revocations (open loop, round-robin over the nodes). Each revocation: "
            + "introspected active on every node first, then revoked; the same node is asked at once, every other node at once "
            + "(informational) and after %d ms by introspection and `/auth/verify` (an active answer then is a STALE-ACTIVE violation).%n%n",
        nn, s.getInteger("minutes"), num(r.getValue("seconds")), s.getInteger("cores"), num(rates.getValue("signin")),
        num(rates.getValue("refresh")), num(rates.getValue("introspect")), num(rates.getValue("verify")),
        num(rates.getValue("revoke")), s.getLong("check_ms")));

    JsonObject hg = r.getJsonObject("heap_growth").getJsonObject("all_nodes");
    sb.append("## Verdict\n\n");
    sb.append(String.format(Locale.ROOT, "- **heap growth first→last minute: %s MB (%s%%)** (live heap after a full GC, summed over the nodes: %s → %s MB; "
            + "minute 2 → last: %s MB (%s%%), slope after minute 1: %s MB/min)%n",
        num(hg.getValue("growth_mb")), num(hg.getValue("growth_pct")), num(hg.getValue("first_mb")), num(hg.getValue("last_mb")),
        num(hg.getValue("after_2_mb")), num(hg.getValue("after_2_pct")), num(hg.getValue("slope_per_minute_after_1"))));
    for (Object o : r.getJsonObject("heap_growth").getJsonArray("per_node")) {
      JsonObject g = (JsonObject) o;
      sb.append(String.format(Locale.ROOT, "  - node %d: %s → %s MB, first→last %s MB (%s%%), minute 2→last %s MB (%s%%)%n",
          g.getInteger("node"), num(g.getValue("first_mb")), num(g.getValue("last_mb")), num(g.getValue("growth_mb")),
          num(g.getValue("growth_pct")), num(g.getValue("after_2_mb")), num(g.getValue("after_2_pct"))));
    }
    JsonObject req = t.getJsonObject("requests");
    long allReq = 0;
    for (String k : req.fieldNames()) {
      allReq += req.getLong(k);
    }
    sb.append(String.format(Locale.ROOT, "- **total errors: %d** (of %d requests; operations shed by the driver's full queue: %d)%n",
        t.getLong("errors"), allReq, t.getLong("shed")));
    sb.append(String.format(Locale.ROOT, "- **total stale-active: %d** (%d revocations, %d checks after %d ms; of them on the revoking node itself: %d); "
            + "informational, other nodes asked right after the 200: %d active answers%n",
        t.getLong("stale_active"), t.getLong("revocations"), t.getLong("stale_checks"), s.getLong("check_ms"),
        t.getLong("origin_stale_active"), t.getLong("stale_immediate_info")));
    JsonArray warnings = r.getJsonArray("warnings");
    if (warnings.isEmpty()) {
      sb.append("- no unbounded growth flagged (live heap: not > 20 % from minute 2 to the last; token cache size, threads, open files: "
          + "not > 20 % over the second half of the run)\n");
    }
    for (Object w : warnings) {
      sb.append("- **WARNING**: ").append(w).append('\n');
    }

    sb.append("\n## Per minute\n\nRequests and errors are over all nodes. Latency p50/p99 in ms (client-side, loopback). "
        + "Heap = live heap after a full GC (`jcmd GC.class_histogram` total), MB, per node. Cache = `tessera_token_cache_size` per node. "
        + "The full GC that measures the heap runs on each node once a minute, inside the next minute's window.\n\n");
    sb.append("| min | requests | errors | stale-active | stale-imm. (info) | sign-in p50/p99 | refresh p50/p99 | introspect p50/p99 | verify p50/p99 | revoke p50/p99 | heap MB | cache | pool | live revocations (DB) |\n");
    sb.append("|---:|---:|---:|---:|---:|---|---|---|---|---|---|---|---:|---:|\n");
    for (Object o : rows) {
      JsonObject row = (JsonObject) o;
      JsonObject ops = row.getJsonObject("ops");
      long reqs = 0;
      StringBuilder lat = new StringBuilder();
      for (String op : OPS) {
        JsonObject x = ops.getJsonObject(op);
        reqs += x.getLong("count");
        lat.append(String.format(Locale.ROOT, " %s / %s |", num(x.getValue("p50_ms")), num(x.getValue("p99_ms"))));
      }
      StringBuilder heap = new StringBuilder(), cache = new StringBuilder();
      for (Object no : row.getJsonArray("nodes")) {
        JsonObject nd = (JsonObject) no;
        heap.append(heap.length() > 0 ? " · " : "").append(num(nd.getValue("heap_live_mb")));
        cache.append(cache.length() > 0 ? " · " : "").append(num(nd.getValue("token_cache_size")));
      }
      sb.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d |%s %s | %s | %d | %s |%n", row.getInteger("minute"), reqs,
          row.getLong("errors"), row.getLong("stale_active"), row.getLong("stale_immediate_info"), lat, heap, cache,
          row.getInteger("pool_sessions"), num(row.getJsonObject("db").getValue("revocations_live"))));
    }

    sb.append("\n### Per minute, per node (heap detail, threads, database rows)\n\n");
    sb.append("| min | node | live heap MB | used after GC MB | committed MB | RSS MB | histogram+GC ms | cache | members | threads | open fds |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Object o : rows) {
      JsonObject row = (JsonObject) o;
      for (Object no : row.getJsonArray("nodes")) {
        JsonObject nd = (JsonObject) no;
        sb.append(String.format(Locale.ROOT, "| %d | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", row.getInteger("minute"),
            nd.getInteger("node"), num(nd.getValue("heap_live_mb")), num(nd.getValue("heap_used_after_gc_mb")),
            num(nd.getValue("heap_committed_mb")), num(nd.getValue("rss_mb")), num(nd.getValue("histogram_ms")), num(nd.getValue("token_cache_size")),
            num(nd.getValue("cluster_members")), num(nd.getValue("threads")), num(nd.getValue("open_fds"))));
      }
    }
    sb.append("\n| min | sessions | unrevoked, unexpired | tokens | revocations | live revocations | revoked sessions every node remembers | audit events | load avg |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Object o : rows) {
      JsonObject row = (JsonObject) o, db = row.getJsonObject("db");
      sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %s | `%s` |%n", row.getInteger("minute"),
          num(db.getValue("sessions")), num(db.getValue("sessions_unrevoked_unexpired")), num(db.getValue("tokens")),
          num(db.getValue("revocations")), num(db.getValue("revocations_live")), num(db.getValue("revoked_sessions_remembered")),
          num(db.getValue("audit_events")), row.getString("loadavg")));
    }

    JsonObject grew = r.getJsonObject("histogram_growth_first_to_last");
    if (!grew.isEmpty()) {
      sb.append("\n## What grew (live objects, minute 1 → last minute, top classes by bytes)\n\n| node | class | Δ instances | Δ bytes |\n|---:|---|---:|---:|\n");
      for (String k : grew.fieldNames()) {
        for (Object o : grew.getJsonArray(k)) {
          JsonObject d = (JsonObject) o;
          sb.append(String.format(Locale.ROOT, "| %s | `%s` | %d | %d |%n", k, d.getString("class"), d.getLong("instances"), d.getLong("bytes")));
        }
      }
    }

    boolean anyErr = false;
    for (Object o : rows) {
      JsonObject row = (JsonObject) o;
      JsonArray es = row.getJsonArray("error_samples");
      if (!es.isEmpty()) {
        if (!anyErr) {
          sb.append("\n## Error samples (first 5 per minute)\n\n");
          anyErr = true;
        }
        for (Object e : es) {
          sb.append("- minute ").append(row.getInteger("minute")).append(": ").append(e).append('\n');
        }
      }
    }
    JsonArray inc = r.getJsonArray("incidents");
    if (!inc.isEmpty()) {
      sb.append("\n## Stale-active incidents (first 50)\n\n");
      for (Object e : inc) {
        sb.append("- ").append(e).append('\n');
      }
    }
    JsonArray gcs = r.getJsonArray("gc");
    if (!gcs.isEmpty()) {
      sb.append("\n## GC pauses (whole run, from each node's `-Xlog:gc` file; the per-minute heap measurement adds one full GC per node per minute)\n\n"
          + "| node | kind | count | total ms | max ms |\n|---:|---|---:|---:|---:|\n");
      for (Object o : gcs) {
        JsonObject g = (JsonObject) o;
        JsonArray ps = g.getJsonArray("pauses");
        if (ps == null) {
          continue;
        }
        for (Object p : ps) {
          JsonObject pp = (JsonObject) p;
          sb.append(String.format(Locale.ROOT, "| %d | %s | %d | %s | %s |%n", g.getInteger("node"), pp.getString("kind"),
              pp.getLong("count"), num(pp.getValue("total_ms")), num(pp.getValue("max_ms"))));
        }
      }
    }
    JsonArray logs = r.getJsonArray("node_logs");
    if (!logs.isEmpty()) {
      sb.append("\n## Node logs (WARN/ERROR lines, most frequent kinds)\n\n");
      for (Object o : logs) {
        JsonObject l = (JsonObject) o;
        sb.append(String.format(Locale.ROOT, "- node %d: %s WARN, %s ERROR%n", l.getInteger("node"), num(l.getValue("warn")),
            num(l.getValue("error"))));
        JsonArray kinds = l.getJsonArray("kinds");
        if (kinds != null) {
          for (Object k : kinds) {
            JsonObject kk = (JsonObject) k;
            sb.append(String.format(Locale.ROOT, "  - %d× `%s`%n", kk.getLong("count"), kk.getString("example").replace('`', '\'')));
          }
        }
      }
    }
    return sb.toString();
  }

  static String oneLine(JsonObject row) {
    JsonObject ops = row.getJsonObject("ops");
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%tT minute %d:", System.currentTimeMillis(), row.getInteger("minute")));
    for (String op : OPS) {
      JsonObject x = ops.getJsonObject(op);
      sb.append(String.format(Locale.ROOT, " %s %d (p50/p99 %s/%s ms)", op, x.getLong("count"), num(x.getValue("p50_ms")), num(x.getValue("p99_ms"))));
    }
    sb.append(String.format(Locale.ROOT, "; errors %d shed %d stale-active %d stale-immediate %d; pool %d; heap MB",
        row.getLong("errors"), row.getLong("shed"), row.getLong("stale_active"), row.getLong("stale_immediate_info"),
        row.getInteger("pool_sessions")));
    for (Object o : row.getJsonArray("nodes")) {
      JsonObject nd = (JsonObject) o;
      sb.append(' ').append(num(nd.getValue("heap_live_mb")));
    }
    sb.append("; cache");
    for (Object o : row.getJsonArray("nodes")) {
      sb.append(' ').append(num(((JsonObject) o).getValue("token_cache_size")));
    }
    sb.append("; db ").append(row.getJsonObject("db").encode());
    return sb.toString();
  }

  // ------------------------------------------------------------------------------------------------ util

  static String loadavg() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  static long rank(long[] sorted, double p) {
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

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
      return String.format(Locale.ROOT, Math.abs(d) < 1 ? "%.3g" : "%.1f", d);
    }
    return v.toString();
  }

  static Double round(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : Math.round(d * 1000) / 1000.0;
  }

  static String abbreviate(String s) {
    s = s.replace('\n', ' ');
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.min(1000, Math.max(1, left / 1_000_000)));
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
    System.err.printf(Locale.ROOT, "%tT soak: %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, fmt, args));
  }
}
