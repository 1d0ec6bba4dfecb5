package dev.tessera.config;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting Tessera reads, validated once at start-up. Keys are the stable environment variable
 * names of DESIGN.md §4; {@code conf/tessera.json} holds the defaults under the same names, so an
 * override is a plain merge and a typo in either place is caught as an unknown key.
 */
public record TesseraConfig(
    int httpPort,
    int httpInstances,
    Optional<String> dbUrl,
    int dbPoolSize,
    String issuer,
    Path dataDir,
    String adminUsername,
    Optional<String> adminPassword,
    Optional<String> tokenSecret,
    Duration accessTtl,
    Duration refreshTtl,
    Duration refreshReuseGrace,
    boolean cluster,
    List<String> clusterMembers,
    Optional<String> clusterHost,
    int clusterPort,
    boolean clusterKubernetes,
    String clusterServiceDns,
    long cacheMaxTokens,
    int cacheWarmTokens,
    Duration catchupInterval,
    Duration stalenessBound,
    Duration revocationAckTimeout,
    Duration lastUsedFlushInterval,
    int hashThreads,
    int hashQueue,
    int argon2MemoryKib,
    int argon2Iterations,
    int maxBodyBytes,
    Duration requestDeadline,
    int maxConnections,
    int maxConnectionsPerAddress,
    int tokenRatePerClient,
    Optional<String> policyFile,
    Duration policyReloadInterval,
    Optional<Tls> tls,
    Optional<Integer> managementPort,
    TrustedProxies trustedProxies,
    Duration auditRetention,
    Duration browserSessionTtl,
    Optional<ClusterSecurity> clusterSecurity,
    int clusterBusPort) {

  /**
   * What admits a node to the cluster: the shared secret (Hazelcast cluster name) and the event bus's
   * mutual-TLS material (PEM paths). Present exactly when clustering is on.
   */
  public record ClusterSecurity(String secret, String certPath, String keyPath, String caPath) {
    @Override
    public String toString() {
      return "ClusterSecurity[secret=<hidden>, cert=" + certPath + ", key=" + keyPath + ", ca=" + caPath + "]";
    }
  }

  /** PEM files for HTTPS; both or neither. */
  public record Tls(String certPath, String keyPath) {
  }

  /**
   * Settings never printed: the URL may carry the database password. Any component whose name says
   * secret or password is hidden too, so a setting added later cannot leak by forgetting this list.
   */
  private static final Set<String> HIDDEN = Set.of("dbUrl", "adminPassword", "tokenSecret");

  /**
   * A record's generated toString prints every value; configs end up in logs and exception messages.
   * Built from the record's components so settings added later are printed (or hidden) without an edit here.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("TesseraConfig[");
    var components = TesseraConfig.class.getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      String name = components[i].getName();
      out.append(i == 0 ? "" : ", ").append(name).append('=');
      if (hidden(name)) {
        out.append("<hidden>");
      } else {
        try {
          out.append(components[i].getAccessor().invoke(this));
        } catch (ReflectiveOperationException e) {
          out.append("<unreadable>");
        }
      }
    }
    return out.append(']').toString();
  }

  private static boolean hidden(String component) {
    String lower = component.toLowerCase();
    return HIDDEN.contains(component) || lower.contains("secret") || lower.contains("password");
  }

  public static final Set<String> KEYS = Set.of(
      "TESSERA_HTTP_PORT", "TESSERA_HTTP_INSTANCES", "TESSERA_DB_URL", "TESSERA_DB_POOL_SIZE",
      "TESSERA_ISSUER", "TESSERA_DATA_DIR", "TESSERA_ADMIN_USERNAME", "TESSERA_ADMIN_PASSWORD",
      "TESSERA_TOKEN_SECRET", "TESSERA_ACCESS_TTL", "TESSERA_REFRESH_TTL", "TESSERA_REFRESH_REUSE_GRACE", "TESSERA_CLUSTER",
      "TESSERA_CLUSTER_MEMBERS", "TESSERA_CLUSTER_HOST", "TESSERA_CLUSTER_PORT",
      "TESSERA_CLUSTER_KUBERNETES", "TESSERA_CLUSTER_SERVICE_DNS", "TESSERA_CACHE_MAX_TOKENS",
      "TESSERA_CACHE_WARM_TOKENS",
      "TESSERA_CATCHUP_INTERVAL", "TESSERA_STALENESS_BOUND", "TESSERA_REVOCATION_ACK_TIMEOUT",
      "TESSERA_LAST_USED_FLUSH_INTERVAL",
      "TESSERA_HASH_THREADS", "TESSERA_HASH_QUEUE", "TESSERA_ARGON2_MEMORY_KIB",
      "TESSERA_ARGON2_ITERATIONS", "TESSERA_MAX_BODY_BYTES",
      "TESSERA_REQUEST_DEADLINE", "TESSERA_MAX_CONNECTIONS", "TESSERA_MAX_CONNECTIONS_PER_ADDRESS", "TESSERA_TLS_CERT", "TESSERA_TLS_KEY", "TESSERA_TOKEN_RATE_PER_CLIENT",
      "TESSERA_POLICY_FILE", "TESSERA_POLICY_RELOAD_INTERVAL", "TESSERA_MANAGEMENT_PORT",
      "TESSERA_TRUSTED_PROXIES", "TESSERA_AUDIT_RETENTION",
      "TESSERA_BROWSER_SESSION_TTL",
      "TESSERA_CLUSTER_SECRET", "TESSERA_CLUSTER_BUS_PORT", "TESSERA_CLUSTER_TLS_CERT", "TESSERA_CLUSTER_TLS_KEY",
      "TESSERA_CLUSTER_TLS_CA");

  /** Builds and validates the configuration from the merged file + environment values. */
  public static TesseraConfig from(JsonObject raw) {
    for (String key : raw.fieldNames()) {
      if (key.startsWith("TESSERA_") && !KEYS.contains(key) && !isKubernetesServiceLink(key)) {
        throw new ConfigException(key, "unknown key (known keys are listed in conf/tessera.json)");
      }
    }
    Values v = new Values(raw);
    int cores = Runtime.getRuntime().availableProcessors();
    int port = v.intIn("TESSERA_HTTP_PORT", 0, 65535);
    Duration catchup = v.duration("TESSERA_CATCHUP_INTERVAL");
    Duration bound = v.duration("TESSERA_STALENESS_BOUND");
    if (bound.compareTo(catchup) < 0) {
      throw new ConfigException("TESSERA_STALENESS_BOUND",
          "must be at least TESSERA_CATCHUP_INTERVAL (" + catchup + "), is " + bound);
    }
    Duration ackTimeout = v.duration("TESSERA_REVOCATION_ACK_TIMEOUT");
    if (ackTimeout.isNegative() || ackTimeout.compareTo(Duration.ofSeconds(5)) > 0) {
      throw new ConfigException("TESSERA_REVOCATION_ACK_TIMEOUT", "must be from PT0S (do not wait) to PT5S, is " + ackTimeout);
    }
    Optional<String> dbUrl = v.optional("TESSERA_DB_URL");
    dbUrl.ifPresent(TesseraConfig::checkDbUrl);
    Optional<String> secret = v.optional("TESSERA_TOKEN_SECRET");
    if (secret.isPresent() && secret.get().length() < 32) {
      throw new ConfigException("TESSERA_TOKEN_SECRET", "must be at least 32 characters");
    }
    boolean cluster = v.bool("TESSERA_CLUSTER");
    Optional<String> adminPassword = v.optional("TESSERA_ADMIN_PASSWORD");
    if (adminPassword.isPresent() && adminPassword.get().length() < 8) {
      throw new ConfigException("TESSERA_ADMIN_PASSWORD", "must be at least 8 characters");
    }
    return new TesseraConfig(
        port,
        orDefault(v.intIn("TESSERA_HTTP_INSTANCES", 0, 256), cores),
        dbUrl,
        v.intIn("TESSERA_DB_POOL_SIZE", 1, 1000),
        v.optional("TESSERA_ISSUER").orElse("http://localhost:" + port),
        Path.of(v.string("TESSERA_DATA_DIR")),
        v.string("TESSERA_ADMIN_USERNAME"),
        adminPassword,
        secret,
        v.positiveDuration("TESSERA_ACCESS_TTL"),
        v.positiveDuration("TESSERA_REFRESH_TTL"),
        refreshReuseGrace(v),
        cluster,
        v.optional("TESSERA_CLUSTER_MEMBERS")
            .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList())
            .orElse(List.of()),
        v.optional("TESSERA_CLUSTER_HOST"),
        v.intIn("TESSERA_CLUSTER_PORT", 1, 65535),
        v.bool("TESSERA_CLUSTER_KUBERNETES"),
        v.string("TESSERA_CLUSTER_SERVICE_DNS"),
        v.longIn("TESSERA_CACHE_MAX_TOKENS", 0, Long.MAX_VALUE),
        v.intIn("TESSERA_CACHE_WARM_TOKENS", 0, 10_000_000),
        catchup,
        bound,
        ackTimeout,
        v.positiveDuration("TESSERA_LAST_USED_FLUSH_INTERVAL"),
        orDefault(v.intIn("TESSERA_HASH_THREADS", 0, 256), cores),
        v.intIn("TESSERA_HASH_QUEUE", 1, 100_000),
        v.intIn("TESSERA_ARGON2_MEMORY_KIB", 8, 4 * 1024 * 1024),
        v.intIn("TESSERA_ARGON2_ITERATIONS", 1, 100),
        v.intIn("TESSERA_MAX_BODY_BYTES", 1024, 10 * 1024 * 1024),
        v.positiveDuration("TESSERA_REQUEST_DEADLINE"),
        v.intIn("TESSERA_MAX_CONNECTIONS", 1, 10_000_000),
        v.intIn("TESSERA_MAX_CONNECTIONS_PER_ADDRESS", 1, 10_000_000),
        v.intIn("TESSERA_TOKEN_RATE_PER_CLIENT", 1, 1_000_000),
        v.optional("TESSERA_POLICY_FILE"),
        v.positiveDuration("TESSERA_POLICY_RELOAD_INTERVAL"),
        tls(v),
        managementPort(v, port),
        trustedProxies(v),
        v.positiveDuration("TESSERA_AUDIT_RETENTION"),
        v.positiveDuration("TESSERA_BROWSER_SESSION_TTL"),
        cluster ? Optional.of(clusterSecurity(v)) : Optional.empty(),
        v.intIn("TESSERA_CLUSTER_BUS_PORT", 0, 65535));
  }

  private static TrustedProxies trustedProxies(Values v) {
    try {
      return v.optional("TESSERA_TRUSTED_PROXIES").map(TrustedProxies::parse).orElse(TrustedProxies.none());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TESSERA_TRUSTED_PROXIES", e.getMessage());
    }
  }

  /**
   * Short by design: it exists for a client retrying at once after a lost answer, and every second of it
   * is a second in which a stolen, already-used refresh token is renewed once rather than detected.
   */
  private static Duration refreshReuseGrace(Values v) {
    Duration grace = v.duration("TESSERA_REFRESH_REUSE_GRACE");
    if (grace.isNegative() || grace.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new ConfigException("TESSERA_REFRESH_REUSE_GRACE", "must be from PT0S (off) to PT60S, is " + grace);
    }
    return grace;
  }

  private static Optional<Tls> tls(Values v) {
    Optional<String> cert = v.optional("TESSERA_TLS_CERT");
    Optional<String> key = v.optional("TESSERA_TLS_KEY");
    if (cert.isEmpty() && key.isEmpty()) {
      return Optional.empty();
    }
    if (cert.isEmpty() || key.isEmpty()) {
      throw new ConfigException(cert.isEmpty() ? "TESSERA_TLS_CERT" : "TESSERA_TLS_KEY",
          "set both TESSERA_TLS_CERT and TESSERA_TLS_KEY (PEM files), or neither");
    }
    return Optional.of(new Tls(readablePem(v, "TESSERA_TLS_CERT"), readablePem(v, "TESSERA_TLS_KEY")));
  }

  /**
   * A clustered node must hold the cluster's secret and its bus certificate: Hazelcast (open source) has no
   * member authentication and the event bus none of its own, so without them anyone who reaches the
   * ports could join and forge revocations or acknowledgements.
   */
  private static ClusterSecurity clusterSecurity(Values v) {
    String secret = v.optional("TESSERA_CLUSTER_SECRET").orElseThrow(() -> new ConfigException(
        "TESSERA_CLUSTER_SECRET", "required when TESSERA_CLUSTER=true (the same random string, >= 32 characters, on every node)"));
    if (secret.length() < 32) {
      throw new ConfigException("TESSERA_CLUSTER_SECRET", "must be at least 32 characters");
    }
    for (String key : List.of("TESSERA_CLUSTER_TLS_CERT", "TESSERA_CLUSTER_TLS_KEY", "TESSERA_CLUSTER_TLS_CA")) {
      if (v.optional(key).isEmpty()) {
        throw new ConfigException(key, "required when TESSERA_CLUSTER=true: the event bus speaks mutual TLS "
            + "(PEM certificate, key and the CA that signed every node's certificate)");
      }
    }
    return new ClusterSecurity(secret, readablePem(v, "TESSERA_CLUSTER_TLS_CERT"),
        readablePem(v, "TESSERA_CLUSTER_TLS_KEY"), readablePem(v, "TESSERA_CLUSTER_TLS_CA"));
  }

  private static String readablePem(Values v, String key) {
    String path = v.string(key);
    if (!java.nio.file.Files.isReadable(Path.of(path))) {
      throw new ConfigException(key, "cannot read PEM file " + path);
    }
    return path;
  }

  /** Metrics and health on a port of their own, so the public port never serves them. */
  private static Optional<Integer> managementPort(Values v, int httpPort) {
    if (v.optional("TESSERA_MANAGEMENT_PORT").isEmpty()) {
      return Optional.empty();
    }
    int port = v.intIn("TESSERA_MANAGEMENT_PORT", 1, 65535);
    if (port == httpPort) {
      throw new ConfigException("TESSERA_MANAGEMENT_PORT", "must differ from TESSERA_HTTP_PORT (" + httpPort + ")");
    }
    return Optional.of(port);
  }

  /**
   * Kubernetes injects {@code <SERVICE>_SERVICE_HOST}, {@code <SERVICE>_PORT_…} for every Service in the
   * namespace; a Service named "tessera" yields TESSERA_SERVICE_HOST and friends, which are not typos.
   */
  static boolean isKubernetesServiceLink(String key) {
    return key.matches("TESSERA(_[A-Z0-9_]+)?_SERVICE_(HOST|PORT)(_[A-Z0-9_]+)?") || key.matches("TESSERA(_[A-Z0-9_]+)?_PORT(_\\d+_(TCP|UDP|SCTP)(_[A-Z]+)?)?");
  }

  private static int orDefault(int value, int fallback) {
    return value == 0 ? fallback : value;
  }

  private static void checkDbUrl(String url) {
    try {
      URI uri = URI.create(url);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        throw new ConfigException("TESSERA_DB_URL", "must start with postgresql://");
      }
      if (uri.getHost() == null) {
        throw new ConfigException("TESSERA_DB_URL", "has no host");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException("TESSERA_DB_URL", "is not a valid URL");
    }
  }

  /** Typed reads with errors that name the key; values may arrive as JSON types or env strings. */
  private record Values(JsonObject raw) {
    Object required(String key) {
      if (!raw.containsKey(key)) {
        throw new ConfigException(key, "missing (conf/tessera.json must define every key)");
      }
      return raw.getValue(key);
    }

    Optional<String> optional(String key) {
      Object value = required(key);
      if (value == null || value.toString().isBlank()) {
        return Optional.empty();
      }
      return Optional.of(value.toString().trim());
    }

    String string(String key) {
      return optional(key).orElseThrow(() -> new ConfigException(key, "must not be empty"));
    }

    long longIn(String key, long min, long max) {
      String text = string(key).replace("_", "").replace(",", "");
      long value;
      try {
        value = Long.parseLong(text);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "not a whole number: " + text);
      }
      if (value < min || value > max) {
        throw new ConfigException(key, "must be between " + min + " and " + max + ", is " + value);
      }
      return value;
    }

    int intIn(String key, int min, int max) {
      return (int) longIn(key, min, max);
    }

    boolean bool(String key) {
      String text = string(key).toLowerCase();
      return switch (text) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new ConfigException(key, "must be true or false, is " + text);
      };
    }

    Duration duration(String key) {
      String text = string(key);
      try {
        return Duration.parse(text);
      } catch (DateTimeParseException e) {
        // Day-based periods such as P30D are valid ISO-8601 and common for refresh lifetimes.
        if (text.matches("P\\d+D")) {
          return Duration.ofDays(Long.parseLong(text.substring(1, text.length() - 1)));
        }
        throw new ConfigException(key, "not an ISO-8601 duration such as PT15M or P30D: " + text);
      }
    }

    Duration positiveDuration(String key) {
      Duration d = duration(key);
      if (d.isNegative() || d.isZero()) {
        throw new ConfigException(key, "must be positive, is " + d);
      }
      return d;
    }
  }
}
