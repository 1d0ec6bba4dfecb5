package dev.tessera.ops;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations artifacts — Grafana dashboard, Kubernetes manifests, the /metrics exposition — checked by
 * real validators against a live node that has served every kind of request: the scrape is the truth the
 * dashboard must match, not a hand-written sample.
 */
@ExtendWith(VertxExtension.class)
class OperationsArtifactsTest {
  private static final Duration VALIDATOR_TIMEOUT = Duration.ofMinutes(3);

  @TempDir
  static Path dir;
  private static TestNode node;
  private static TestClient http;
  /** Every raw token the node handed out while producing the scrape. */
  private static final List<String> issued = new ArrayList<>();
  private static Path scrapeFile;
  private static Scrape scrape;
  private static String scrapeText;

  @BeforeAll
  static void serveEveryKindOfRequestThenScrape(Vertx vertx) throws Exception {
    // Clustered (a cluster of one over loopback), as every Kubernetes pod runs: only then does the node use
    // the event bus, whose Vert.x meters the dashboard charts.
    int clusterPort = TestNode.freePort();
    node = TestNode.start(Map.of("TESSERA_CLUSTER", true, "TESSERA_CLUSTER_HOST", "127.0.0.1",
        "TESSERA_CLUSTER_PORT", clusterPort, "TESSERA_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort));
    http = new TestClient(vertx, node.port());
    String admin = keep(http.adminToken());
    http.createPublicClient(admin, "mobile", "read", "write");
    String gatewaySecret = http.createResourceServer(admin, "gateway", "read").getString("client_secret");
    String aliceId = http.createUser(admin, "alice@example.com", "alice-password", "read", "write").getString("id");

    // grant=password, then grant=refresh_token (rotation), then grant=client_credentials
    JsonObject phone = http.login("mobile", "alice@example.com", "alice-password", "Pixel 8");
    keep(phone.getString("access_token"));
    JsonObject rotated = ok(http.postForm("/oauth2/token", Map.of("grant_type", "refresh_token", "client_id", "mobile",
        "refresh_token", keep(phone.getString("refresh_token")))));
    String access = keep(rotated.getString("access_token"));
    keep(rotated.getString("refresh_token"));
    keep(ok(http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        TestClient.basic("gateway", gatewaySecret))).getString("access_token"));

    // introspect and verify: a miss (first sight), a hit, and a malformed token
    assertThat(http.introspect("gateway", gatewaySecret, access).getBoolean("active")).isTrue();
    assertThat(http.introspect("gateway", gatewaySecret, access).getBoolean("active")).isTrue();
    assertThat(http.introspect("gateway", gatewaySecret, "tsr_not-a-real-token").getBoolean("active")).isFalse();
    String laptop = keep(http.login("mobile", "alice@example.com", "alice-password", "ThinkPad").getString("access_token"));
    assertThat(http.get("/auth/verify", TestClient.bearer(laptop)).statusCode()).isEqualTo(200);
    assertThat(http.get("/auth/verify", TestClient.bearer(laptop)).statusCode()).isEqualTo(200);
    assertThat(http.get("/auth/verify", TestClient.bearer("tsr_forged")).statusCode()).isEqualTo(401);
    assertThat(http.get("/auth/verify", null).statusCode()).isEqualTo(401);

    // a refused sign-in
    assertThat(http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "mobile",
        "username", "alice@example.com", "password", "wrong")).statusCode()).isEqualTo(400);

    // revocations: the client's own (RFC 7009), then an admin revoking every session of the user
    assertThat(http.postForm("/oauth2/revoke", Map.of("token", access, "client_id", "mobile")).statusCode()).isEqualTo(200);
    assertThat(http.introspect("gateway", gatewaySecret, access).getBoolean("active")).isFalse();
    assertThat(http.json("POST", "/admin/api/users/" + aliceId + "/revoke-all", null, admin).statusCode()).isEqualTo(200);
    assertThat(http.get("/auth/verify", TestClient.bearer(laptop)).statusCode()).isEqualTo(401);

    HttpResponse<Buffer> metrics = http.get("/metrics", null);
    assertThat(metrics.statusCode()).isEqualTo(200);
    scrapeText = metrics.bodyAsString();
    scrapeFile = dir.resolve("tessera-metrics.txt");
    Files.writeString(scrapeFile, scrapeText, StandardCharsets.UTF_8);
    scrape = Scrape.parse(scrapeText);
  }

  @AfterAll
  static void stop() {
    if (http != null) {
      http.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private static String keep(String token) {
    assertThat(token).startsWith("tsr_");
    issued.add(token);
    return token;
  }

  private static JsonObject ok(HttpResponse<Buffer> r) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return r.bodyAsJsonObject();
  }

  @Test
  void everySeriesOfTheDesignIsExported() {
    assertThat(scrape.names()).contains(
        "tessera_verification_seconds_bucket", "tessera_verification_seconds_count", "tessera_verification_seconds_sum",
        "tessera_revocation_propagation_seconds_bucket", "tessera_tokens_issued_total", "tessera_revocations_total",
        "tessera_login_failures_total", "tessera_token_cache_size", "tessera_token_cache_hits_total",
        "tessera_token_cache_misses_total", "tessera_cluster_members",
        "vertx_http_server_requests_total", "vertx_http_server_response_time_seconds_count",
        "vertx_pool_in_use", "vertx_pool_queue_pending",
        "vertx_eventbus_published_total", "vertx_eventbus_received_total",
        "jvm_memory_used_bytes", "process_cpu_usage");
    assertThat(scrape.labelValues("tessera_tokens_issued_total", "grant"))
        .contains("password", "refresh_token", "client_credentials");
    assertThat(scrape.labelValues("tessera_revocations_total", "reason")).contains("client", "admin");
  }

  @Test
  void verificationHistogramResolvesFiftyMicrosecondsToOneSecondByEndpointResultAndSource() {
    Set<String> labels = scrape.labelNames("tessera_verification_seconds_bucket");
    assertThat(labels).containsExactlyInAnyOrder("endpoint", "result", "source", "le");
    assertThat(scrape.labelNames("tessera_verification_seconds_count")).containsExactlyInAnyOrder("endpoint", "result", "source");
    TreeSet<Double> bounds = new TreeSet<>();
    for (String le : scrape.labelValues("tessera_verification_seconds_bucket", "le")) {
      if (!le.equals("+Inf")) {
        bounds.add(Double.parseDouble(le));
      }
    }
    assertThat(scrape.labelValues("tessera_verification_seconds_bucket", "le")).contains("5.0E-5", "1.0", "+Inf");
    assertThat(bounds.first()).isEqualTo(5.0E-5);
    assertThat(bounds.last()).isEqualTo(1.0);
    // sub-millisecond resolution: a cache hit and a database read must land in different buckets
    assertThat(bounds.headSet(0.001)).hasSizeGreaterThanOrEqualTo(3);
    assertThat(scrape.labelValues("tessera_verification_seconds_count", "endpoint")).contains("introspect", "verify");
    assertThat(scrape.labelValues("tessera_verification_seconds_count", "result")).contains("active", "inactive", "invalid");
    assertThat(scrape.labelValues("tessera_verification_seconds_count", "source")).contains("cache", "db");
  }

  @Test
  void noLabelEverCarriesAToken() {
    for (Scrape.Sample s : scrape.samples()) {
      for (Map.Entry<String, String> l : s.labels().entrySet()) {
        assertThat(l.getValue()).as("%s{%s}", s.name(), l.getKey()).doesNotContain("tsr_");
      }
    }
    for (String token : issued) {
      assertThat(scrapeText).as("an issued token appears in the scrape").doesNotContain(token);
    }
  }

  @Test
  void dashboardQueriesOnlyMetricsAndLabelsTheLiveNodeExports() {
    ExternalTools.requireNodeValidators();
    ExternalTools.Result r = ExternalTools.run(VALIDATOR_TIMEOUT, List.of("node",
        "tools/validate/validate-dashboard.mjs", "k8s/grafana/tessera.json", scrapeFile.toString()));
    assertThat(r.exitCode()).as(r.describe()).isZero();
  }

  @Test
  void liveScrapePassesPromtoolCheckMetrics() {
    ExternalTools.requirePromtool();
    ExternalTools.Result r = ExternalTools.run(VALIDATOR_TIMEOUT, List.of("bash",
        "tools/validate/check-metrics.sh", scrapeFile.toString()));
    assertThat(r.exitCode()).as(r.describe()).isZero();
  }

  @Test
  void kubernetesManifestsValidateStrictlyAgainstUpstreamSchemas() {
    ExternalTools.requireNodeValidators();
    ExternalTools.Result r = ExternalTools.run(VALIDATOR_TIMEOUT, List.of("node", "tools/validate/validate-k8s.mjs", "k8s"));
    assertThat(r.exitCode()).as(r.describe()).isZero();
  }
}
