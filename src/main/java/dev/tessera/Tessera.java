package dev.tessera;

import dev.tessera.auth.ClientAuthenticator;
import dev.tessera.auth.ClientRateLimiter;
import dev.tessera.auth.FailureLedger;
import dev.tessera.auth.LocalFailureLedger;
import dev.tessera.auth.LocalRateBuckets;
import dev.tessera.auth.LoginThrottle;
import dev.tessera.auth.RateBuckets;
import dev.tessera.auth.PasswordHasher;
import dev.tessera.auth.UserAuthenticator;
import dev.tessera.cluster.BusHeartbeat;
import dev.tessera.cluster.ClusterManagerFactory;
import dev.tessera.cluster.EventBusBroadcaster;
import dev.tessera.cluster.RevocationFollower;
import dev.tessera.cluster.SharedFailureLedger;
import dev.tessera.cluster.SharedRateBuckets;
import dev.tessera.config.ConfigException;
import dev.tessera.config.TesseraConfig;
import dev.tessera.gateway.Gatekeeper;
import dev.tessera.gateway.GatewayMetrics;
import dev.tessera.gateway.PolicyFile;
import dev.tessera.gateway.PolicyWatcher;
import dev.tessera.http.HttpVerticle;
import dev.tessera.http.ManagementVerticle;
import dev.tessera.metrics.NodeMetricsFactory;
import dev.tessera.metrics.TesseraMetrics;
import dev.tessera.store.AuditStore;
import dev.tessera.store.AuthorizationCodeStore;
import dev.tessera.store.ClientStore;
import dev.tessera.store.DatabaseServer;
import dev.tessera.store.EventLoopPools;
import dev.tessera.store.Housekeeping;
import dev.tessera.store.RevocationStore;
import dev.tessera.store.SettingsStore;
import dev.tessera.store.TokenStore;
import dev.tessera.store.UserStore;
import dev.tessera.token.AuthorizationCodes;
import dev.tessera.token.BrowserSessions;
import dev.tessera.token.CacheWarmup;
import dev.tessera.token.ClientRevocation;
import dev.tessera.token.Evictions;
import dev.tessera.token.Freshness;
import dev.tessera.token.LastUsedRecorder;
import dev.tessera.token.RevokedSessions;
import dev.tessera.token.SignInServices;
import dev.tessera.token.Revoker;
import dev.tessera.token.TokenCodec;
import dev.tessera.token.TokenIssuer;
import dev.tessera.token.TokenReads;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerificationCache;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.ClusterHealthCheck;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.ext.auth.prng.VertxContextPRNG;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One Tessera node: builds the shared services once, deploys one HTTP verticle per event loop, and
 * tears everything down in reverse order.
 */
public final class Tessera {
  private static final Logger log = LoggerFactory.getLogger(Tessera.class);
  private static final Duration HOUSEKEEPING_INTERVAL = Duration.ofHours(1);
  /** Expired rows are kept a day: enough for a person investigating an incident to still see them. */
  private static final Duration EXPIRED_ROWS_KEPT = Duration.ofDays(1);

  private final Vertx vertx;
  private final TesseraConfig config;
  private final PrometheusMeterRegistry registry;
  private final HazelcastClusterManager clusterManager;
  private final String nodeId;
  private EventBusBroadcaster broadcaster;
  private BusHeartbeat heartbeat;
  private DatabaseServer database;
  private Pool pool;
  private Pool followerPool;
  private PasswordHasher hasher;
  private RevocationFollower follower;
  private VerificationCache cache;
  private LastUsedRecorder lastUsed;
  private TesseraMetrics metrics;
  private PolicyWatcher policy;
  private Services services;
  private String httpDeployment;
  private volatile boolean stopping;

  private Tessera(Vertx vertx, TesseraConfig config, PrometheusMeterRegistry registry,
                  HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.config = config;
    this.registry = registry;
    this.clusterManager = clusterManager;
    // One id per process: the cluster's id when clustered, so log rows and bus messages agree.
    this.nodeId = clusterManager != null ? clusterManager.getNodeId() : java.util.UUID.randomUUID().toString();
  }

  /** Starts a node. Must not be called on an event loop: start-up runs migrations over JDBC. */
  public static Future<Tessera> start(TesseraConfig config) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)).setJvmMetricsEnabled(true));
    VertxBuilder builder = Vertx.builder().withMetrics(new NodeMetricsFactory(registry));
    Future<Vertx> vertx;
    HazelcastClusterManager clusterManager = null;
    if (config.cluster()) {
      clusterManager = ClusterManagerFactory.create(config);
      ClusterManagerFactory.configureEventBus(config, options.getEventBusOptions());
      vertx = builder.with(options).withClusterManager(clusterManager).buildClustered();
    } else {
      vertx = Future.succeededFuture(builder.with(options).build());
    }
    HazelcastClusterManager cluster = clusterManager;
    // Settled outside any Vert.x context: after a failed start the node's own event loops are gone,
    // and the caller must still hear why.
    Promise<Tessera> started = Promise.promise();
    vertx.onFailure(started::fail).onSuccess(v -> {
      Tessera node = new Tessera(v, config, registry, cluster);
      node.boot().onComplete(booted -> {
        if (booted.succeeded()) {
          started.complete(node);
        } else {
          node.close().onComplete(closed -> started.fail(booted.cause()));
        }
      });
    });
    return started.future();
  }

  private Future<Tessera> boot() {
    metrics = new TesseraMetrics(registry);
    // The route policy first: a bad file stops start-up with one line, before anything else starts.
    return PolicyWatcher.load(vertx, config.policyFile(), new GatewayMetrics(metrics))
        .recover(e -> Future.failedFuture(e instanceof PolicyFile.Invalid
            ? new ConfigException("TESSERA_POLICY_FILE", e.getMessage()) : e))
        .compose(watcher -> {
          policy = watcher;
          return vertx.executeBlocking(() -> DatabaseServer.start(config), false);
        })
        .compose(db -> {
          database = db;
          int perLoop = perLoopPoolSize();
          pool = new EventLoopPools((VertxInternal) vertx, loop -> PgBuilder.pool()
              // Bounded waiting: beyond 64 queued queries per connection, or 5 s without a connection,
              // callers get a fast 503 + Retry-After instead of an ever longer queue.
              .with(new PoolOptions().setMaxSize(perLoop).setMaxWaitQueueSize(perLoop * 64)
                  .setConnectionTimeout(5).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS)
                  .setName("tessera-db-loop-" + loop))
              .connectingTo(db.connectOptions().setPipeliningLimit(16).setCachePreparedStatements(true))
              .using(vertx)
              .build());
          // The revocation follower gets a connection of its own: under a flood of cache misses it must
          // not queue behind request traffic, or the node would lose freshness and fail closed.
          followerPool = PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(1).setName("tessera-revocation-log"))
              .connectingTo(db.connectOptions().setCachePreparedStatements(true))
              .using(vertx)
              .build();
          return tokenSecret();
        })
        .compose(secret -> {
          buildServices(secret);
          return joinCluster();
        })
        // The log is loaded after the consumer is registered, so nothing published in between is missed.
        .compose(v -> follower.start())
        .compose(v -> CacheWarmup.run(services.tokenStore(), cache, (int) Math.min(config.cacheWarmTokens(), config.cacheMaxTokens())))
        .compose(v -> new Bootstrap(services, config).run())
        .compose(v -> deployManagement())
        .compose(v -> vertx.deployVerticle(() -> new HttpVerticle(services),
            new DeploymentOptions().setInstances(config.httpInstances())))
        .map(id -> {
          httpDeployment = id;
          vertx.setPeriodic(config.lastUsedFlushInterval().toMillis(), t -> lastUsed.flush());
          vertx.setPeriodic(HOUSEKEEPING_INTERVAL.toMillis(), t -> purgeExpired());
          policy.follow(config.policyReloadInterval());
          log.info("Tessera listening on port {} ({} event-loop verticles)", config.httpPort(), config.httpInstances());
          return this;
        });
  }

  /** Metrics and health on their own port when TESSERA_MANAGEMENT_PORT is set; else the HTTP verticle serves them. */
  private Future<Void> deployManagement() {
    if (config.managementPort().isEmpty()) {
      return Future.succeededFuture();
    }
    int port = config.managementPort().get();
    return vertx.deployVerticle(new ManagementVerticle(services, port))
        .onSuccess(id -> log.info("metrics and health on management port {}", port))
        .mapEmpty();
  }

  private Future<Void> joinCluster() {
    if (clusterManager == null) {
      services.metrics().clusterMembers(() -> 1);
      return Future.succeededFuture();
    }
    broadcaster = new EventBusBroadcaster(vertx, clusterManager, follower, config.revocationAckTimeout());
    services.revoker().broadcastWith(broadcaster);
    services.metrics().clusterMembers(broadcaster::members);
    heartbeat = new BusHeartbeat(vertx, clusterManager, config.catchupInterval());
    // Down while Hazelcast's partitions are unsafe, or while this node no longer hears most of the others
    // on the event bus (it then converges through the revocation log alone).
    services.readiness().register("cluster", heartbeat.withHazelcastCheck(ClusterHealthCheck.createProcedure(vertx)));
    return Future.all(broadcaster.start(), heartbeat.start()).<Void>mapEmpty().onSuccess(v -> log.info("joined cluster as {} ({} members)",
        clusterManager.getNodeId(), broadcaster.members()));
  }

  /** One hourly batch of deleting long-expired rows and old audit events; failures are logged and retried next hour. */
  private Future<Housekeeping.Purged> purgeExpired() {
    java.time.Instant now = Clock.systemUTC().instant();
    purgeAuditBefore(now.minus(config.auditRetention()));
    return purgeExpiredBefore(now.minus(EXPIRED_ROWS_KEPT));
  }

  /** Deletes one batch of audit events recorded before {@code cutoff} (TESSERA_AUDIT_RETENTION ago, hourly). */
  public Future<Integer> purgeAuditBefore(java.time.Instant cutoff) {
    return new Housekeeping(pool).purgeAuditBefore(cutoff)
        .onSuccess(n -> {
          if (n > 0) {
            log.info("housekeeping removed {} audit events older than {}", n, config.auditRetention());
          }
        })
        .onFailure(e -> log.warn("audit housekeeping failed, will retry: {}", e.getMessage()));
  }

  /** Deletes one batch of tokens, sessions and revocation-log rows that expired before {@code cutoff}. */
  public Future<Housekeeping.Purged> purgeExpiredBefore(java.time.Instant cutoff) {
    return new Housekeeping(pool).purgeExpiredBefore(cutoff)
        .onSuccess(p -> {
          if (p.tokens() + p.sessions() + p.revocations() + p.codes() > 0) {
            log.info("housekeeping removed {} expired tokens, {} sessions, {} revocation-log rows, {} authorization codes",
                p.tokens(), p.sessions(), p.revocations(), p.codes());
          }
        })
        .onFailure(e -> log.warn("housekeeping failed, will retry: {}", e.getMessage()));
  }

  private Future<byte[]> tokenSecret() {
    if (config.tokenSecret().isPresent()) {
      return Future.succeededFuture(config.tokenSecret().get().getBytes(StandardCharsets.UTF_8));
    }
    // Generated once and shared through the database, so every node accepts every node's tokens.
    String candidate = VertxContextPRNG.current(vertx).nextString(32);
    return new SettingsStore(pool).getOrCreate("token_secret", candidate)
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
  }

  private void buildServices(byte[] secret) {
    Clock clock = Clock.systemUTC();
    TokenCodec codec = new TokenCodec(secret);
    UserStore userStore = new UserStore(pool);
    ClientStore clientStore = new ClientStore(pool);
    TokenStore tokenStore = new TokenStore(pool);
    RevocationStore revocationStore = new RevocationStore(pool, nodeId);
    cache = new VerificationCache(config.cacheMaxTokens());
    RevokedSessions revoked = new RevokedSessions();
    Freshness freshness = new Freshness(clock, config.stalenessBound());
    lastUsed = new LastUsedRecorder(tokenStore);
    hasher = new PasswordHasher(vertx, metrics, config.hashThreads(), config.hashQueue(), config.argon2MemoryKib(),
        config.argon2Iterations());
    // Clustered, back-off counts and rate buckets live in Hazelcast maps every node shares, so limits
    // hold for the cluster as a whole; alone, in this node's memory.
    FailureLedger failureLedger = clusterManager == null ? new LocalFailureLedger()
        : new SharedFailureLedger(clusterManager.getHazelcastInstance().getMap("tessera-auth-failures"), vertx);
    RateBuckets rateBuckets = clusterManager == null ? new LocalRateBuckets()
        : new SharedRateBuckets(clusterManager.getHazelcastInstance().getMap("tessera-rate-buckets"), vertx);
    // Its own throttle: client failures must not use up users' allowances.
    ClientAuthenticator clients = new ClientAuthenticator(clientStore, hasher, new LoginThrottle("client", failureLedger, clock));
    Evictions evictions = new Evictions(revoked, clients::forget);
    AuditStore audit = new AuditStore(pool);
    Revoker revoker = new Revoker(revocationStore, evictions, metrics, audit);
    follower = new RevocationFollower(vertx, new RevocationStore(followerPool, nodeId), evictions, freshness, metrics,
        config.catchupInterval(), clock, nodeId);
    metrics.cacheSize(cache::size);
    HealthChecks readiness = HealthChecks.create(vertx)
        // Pinged on the follower's own connection: on the request pool the ping would queue behind load,
        // and every pod would turn not-ready at the same moment, exactly when capacity is needed.
        .register("database", 2000, promise -> followerPool.query("select 1").execute()
            .onSuccess(r -> promise.complete(Status.OK()))
            .onFailure(e -> promise.complete(Status.KO())))
        .register("revocations", promise -> promise.complete(freshness.isFresh() ? Status.OK() : Status.KO()))
        // Not ready while shutting down, so the load balancer stops sending before the server stops.
        .register("serving", promise -> promise.complete(stopping ? Status.KO() : Status.OK()));
    TokenVerifier verifier = new TokenVerifier(codec, cache, revoked, freshness, tokenReads(tokenStore, cache, metrics),
        lastUsed, metrics, clock);
    TokenIssuer issuer = new TokenIssuer(vertx, codec, tokenStore, revoker, metrics, clock, config.accessTtl(),
        config.refreshTtl(), config.refreshReuseGrace());
    SignInServices signIn = new SignInServices(
        new AuthorizationCodes(vertx, codec, new AuthorizationCodeStore(pool), userStore, issuer, revoker, clock),
        new BrowserSessions(codec, tokenStore, userStore, issuer, revoker, clock, config.browserSessionTtl()),
        codec.derivedKey("sign-in form"));
    services = new Services(config,
        verifier,
        new Gatekeeper(verifier, policy, policy.metrics(), clock, config.catchupInterval()),
        issuer,
        new ClientRevocation(codec, tokenStore, revoker),
        revoker,
        new UserAuthenticator(userStore, hasher, new LoginThrottle("sign-in", failureLedger, clock)),
        clients,
        new ClientRateLimiter(config.tokenRatePerClient(), rateBuckets),
        hasher, userStore, clientStore, tokenStore, audit, freshness, metrics, readiness, signIn);
  }

  /**
   * Cache-miss reads: up to four per pool connection may run at once, the ones beyond the free connections
   * waiting in their own loop's pool queue; twelve per connection more may wait here (a few milliseconds of
   * work at full speed). Beyond that a restarted node answers 503 at once rather than stampede PostgreSQL or
   * keep callers waiting. Until issue 14 only one per connection ran: every read started from this queue
   * ran on the loop that finished the one before it, and its answer then crossed to the caller's loop.
   */
  private TokenReads tokenReads(TokenStore tokenStore, VerificationCache cache, TesseraMetrics metrics) {
    return new TokenReads(tokenStore, cache, metrics, config.dbPoolSize() * 4, config.dbPoolSize() * 12);
  }

  /** TESSERA_DB_POOL_SIZE shared out over the request event loops, each loop's pool its own share. */
  private int perLoopPoolSize() {
    return Math.max(1, (config.dbPoolSize() + config.httpInstances() - 1) / config.httpInstances());
  }

  public Vertx vertx() {
    return vertx;
  }

  public Services services() {
    return services;
  }

  /** This node's cluster id, or empty when not clustered. */
  public java.util.Optional<String> nodeId() {
    return clusterManager == null ? java.util.Optional.empty() : java.util.Optional.of(clusterManager.getNodeId());
  }

  public RevocationFollower follower() {
    return follower;
  }

  /**
   * Graceful stop: report not-ready, let the HTTP servers drain in-flight requests (bounded), flush
   * pending last-used times, leave the cluster, close the pool, then Vert.x and (if embedded) the
   * database.
   */
  public Future<Void> close() {
    stopping = true;
    Promise<Void> closed = Promise.promise();
    Future<Void> drained = httpDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(httpDeployment).otherwiseEmpty();
    drained
        .compose(v -> lastUsed == null ? Future.succeededFuture() : lastUsed.flush().otherwiseEmpty())
        .compose(v -> {
          if (follower != null) {
            follower.stop();
          }
          if (policy != null) {
            policy.stop();
          }
          if (heartbeat != null) {
            heartbeat.stop();
          }
          return broadcaster == null ? Future.succeededFuture() : broadcaster.stop().otherwiseEmpty();
        })
        .compose(v -> followerPool == null ? Future.succeededFuture() : followerPool.close().otherwiseEmpty())
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close().otherwiseEmpty())
        // Vert.x is closed from a plain thread: a close issued from one of its own event loops would
        // deliver its completion to a loop that no longer runs.
        .onComplete(v -> CompletableFuture.runAsync(() -> vertx.close().onComplete(done -> {
          if (database != null) {
            database.close();
          }
          closed.handle(done);
        })));
    return closed.future();
  }
}
