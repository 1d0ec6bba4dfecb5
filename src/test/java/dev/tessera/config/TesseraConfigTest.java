package dev.tessera.config;

import dev.tessera.testing.Readme;
import dev.tessera.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TesseraConfig.from: the shipped defaults plus overrides, validated once with errors that name the key. */
class TesseraConfigTest {

  private static JsonObject defaults() {
    return TestNode.defaults();
  }

  private static void assertRejected(JsonObject raw, String key) {
    assertThatThrownBy(() -> TesseraConfig.from(raw))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(key);
  }

  /** The README's Configuration section is where operators look: every key is there, and nothing else. */
  @Test
  void theReadmeDocumentsEveryKeyAndNoOther() {
    String section = Readme.read().section("## Configuration").text();
    java.util.Set<String> documented = new java.util.TreeSet<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("`(TESSERA_[A-Z0-9_]+)`").matcher(section);
    while (m.find()) {
      documented.add(m.group(1));
    }
    assertThat(documented).containsExactlyInAnyOrderElementsOf(defaults().fieldNames());
  }

  @Test
  void shippedDefaultsAreValid() {
    TesseraConfig config = TesseraConfig.from(defaults());
    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.accessTtl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.refreshTtl()).isEqualTo(Duration.ofDays(30));
    assertThat(config.catchupInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.dbUrl()).isEmpty();
    assertThat(config.issuer()).isEqualTo("http://localhost:8080");
    assertThat(config.adminUsername()).isEqualTo("admin");
  }

  @Test
  void environmentStringsOverrideTheDefaults() {
    TesseraConfig config = TesseraConfig.from(defaults().put("TESSERA_HTTP_PORT", "9090")
        .put("TESSERA_ACCESS_TTL", "PT5M").put("TESSERA_CLUSTER", "TRUE").mergeIn(clusterKeys()));
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.accessTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.cluster()).isTrue();
  }

  @Test
  void unknownTesseraKeyIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_ACESS_TTL", "PT5M"), "TESSERA_ACESS_TTL");
  }

  @Test
  void badDurationIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_ACCESS_TTL", "15 minutes"), "TESSERA_ACCESS_TTL");
  }

  @Test
  void slowClientBoundsDefaultToAFewSecondsAndThousandsOfConnectionsAndRejectNonsenseByName() {
    TesseraConfig config = TesseraConfig.from(defaults());
    assertThat(config.requestDeadline()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.maxConnections()).isEqualTo(10_000);
    assertThat(config.maxConnectionsPerAddress()).isEqualTo(1_000);
    assertRejected(defaults().put("TESSERA_REQUEST_DEADLINE", "PT0S"), "TESSERA_REQUEST_DEADLINE");
    assertRejected(defaults().put("TESSERA_MAX_CONNECTIONS", "0"), "TESSERA_MAX_CONNECTIONS");
    assertRejected(defaults().put("TESSERA_MAX_CONNECTIONS_PER_ADDRESS", "lots"), "TESSERA_MAX_CONNECTIONS_PER_ADDRESS");
  }

  @Test
  void zeroDurationIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_REFRESH_TTL", "PT0S"), "TESSERA_REFRESH_TTL");
  }

  @Test
  void nonNumericPortIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_HTTP_PORT", "http"), "TESSERA_HTTP_PORT");
  }

  @Test
  void outOfRangePortIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_HTTP_PORT", "70000"), "TESSERA_HTTP_PORT");
  }

  @Test
  void stalenessBoundBelowTheCatchUpIntervalIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_CATCHUP_INTERVAL", "PT5S").put("TESSERA_STALENESS_BOUND", "PT2S"),
        "TESSERA_STALENESS_BOUND");
  }

  @Test
  void badBooleanIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_CLUSTER", "yes"), "TESSERA_CLUSTER");
  }

  @Test
  void nonPostgresDatabaseUrlIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_DB_URL", "mysql://localhost/tessera"), "TESSERA_DB_URL");
  }

  @Test
  void shortTokenSecretIsRejectedByName() {
    assertRejected(defaults().put("TESSERA_TOKEN_SECRET", "too-short"), "TESSERA_TOKEN_SECRET");
  }

  @Test
  void missingKeyIsRejectedByName() {
    JsonObject raw = defaults();
    raw.remove("TESSERA_ACCESS_TTL");
    assertRejected(raw, "TESSERA_ACCESS_TTL");
  }

  @Test
  void kubernetesServiceLinkVariablesAreIgnored() {
    TesseraConfig config = TesseraConfig.from(defaults()
        .put("TESSERA_SERVICE_HOST", "10.96.0.12")
        .put("TESSERA_SERVICE_PORT", "8080")
        .put("TESSERA_SERVICE_PORT_HTTP", "8080")
        .put("TESSERA_PORT", "tcp://10.96.0.12:8080")
        .put("TESSERA_PORT_8080_TCP", "tcp://10.96.0.12:8080")
        .put("TESSERA_PORT_8080_TCP_PROTO", "tcp")
        .put("TESSERA_PORT_8080_TCP_PORT", "8080")
        .put("TESSERA_PORT_8080_TCP_ADDR", "10.96.0.12"));
    assertThat(config.httpPort()).isEqualTo(8080);
  }

  @Test
  void errorMessageIsOneLine() {
    assertThatThrownBy(() -> TesseraConfig.from(defaults().put("TESSERA_ACCESS_TTL", "soon")))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").startsWith("configuration error: TESSERA_ACCESS_TTL"));
  }

  @Test
  void managementPortIsUnsetByDefaultAndMustDifferFromTheHttpPort() {
    assertThat(TesseraConfig.from(defaults()).managementPort()).isEmpty();
    assertThat(TesseraConfig.from(defaults().put("TESSERA_MANAGEMENT_PORT", "9000")).managementPort()).contains(9000);
    assertRejected(defaults().put("TESSERA_MANAGEMENT_PORT", "8080"), "TESSERA_MANAGEMENT_PORT");
    assertRejected(defaults().put("TESSERA_MANAGEMENT_PORT", "70000"), "TESSERA_MANAGEMENT_PORT");
  }

  @Test
  void trustedProxiesAreCidrBlocksAndAuditRetentionADuration() {
    TesseraConfig shipped = TesseraConfig.from(defaults());
    assertThat(shipped.trustedProxies().isEmpty()).isTrue();
    assertThat(shipped.auditRetention()).isEqualTo(Duration.ofDays(90));
    TesseraConfig set = TesseraConfig.from(defaults().put("TESSERA_TRUSTED_PROXIES", "10.0.0.0/8, 2001:db8::/32")
        .put("TESSERA_AUDIT_RETENTION", "P30D"));
    assertThat(set.trustedProxies().toString()).isEqualTo("10.0.0.0/8,2001:db8::/32");
    assertThat(set.auditRetention()).isEqualTo(Duration.ofDays(30));
    assertRejected(defaults().put("TESSERA_TRUSTED_PROXIES", "lb.internal"), "TESSERA_TRUSTED_PROXIES");
    assertRejected(defaults().put("TESSERA_AUDIT_RETENTION", "PT0S"), "TESSERA_AUDIT_RETENTION");
  }

  @Test
  void toStringNeverShowsASecretButStillShowsTheOtherSettings() {
    String dbPassword = "db-pw-Zq81vXk";
    String adminPassword = "admin-pw-Lm42";
    String tokenSecret = "token-secret-0123456789abcdef0123456789";
    JsonObject raw = defaults().put("TESSERA_CLUSTER", "true").mergeIn(clusterKeys())
        .put("TESSERA_DB_URL", "postgresql://tessera:" + dbPassword + "@db.internal:5432/tessera?password=" + dbPassword)
        .put("TESSERA_ADMIN_PASSWORD", adminPassword)
        .put("TESSERA_TOKEN_SECRET", tokenSecret)
        .put("TESSERA_HTTP_PORT", "9191");
    TesseraConfig config = TesseraConfig.from(raw);
    // Precondition: the secrets really are in the config, so their absence below means something.
    assertThat(config.dbUrl()).hasValueSatisfying(url -> assertThat(url).contains(dbPassword));
    assertThat(config.adminPassword()).contains(adminPassword);
    assertThat(config.tokenSecret()).contains(tokenSecret);
    String clusterSecret = config.clusterSecurity().orElseThrow().secret();

    String printed = config.toString();
    assertThat(printed).doesNotContain(dbPassword, adminPassword, tokenSecret, clusterSecret, "db.internal")
        .contains("httpPort=9191", "adminUsername=admin", "tokenSecret=<hidden>", "adminPassword=<hidden>",
            "dbUrl=<hidden>");
  }

  private static JsonObject clusterKeys() {
    return new JsonObject(dev.tessera.testing.ClusterKeys.shared().overrides());
  }

  @Test
  void clusteringWithoutAClusterSecretIsRejectedByName() {
    JsonObject raw = defaults().put("TESSERA_CLUSTER", "true").mergeIn(clusterKeys());
    raw.putNull("TESSERA_CLUSTER_SECRET");
    assertRejected(raw, "TESSERA_CLUSTER_SECRET");
    assertRejected(raw.copy().put("TESSERA_CLUSTER_SECRET", "too-short"), "TESSERA_CLUSTER_SECRET");
  }

  @Test
  void clusteringWithoutTheEventBusCertificateIsRejectedByName() {
    for (String key : new String[] {"TESSERA_CLUSTER_TLS_CERT", "TESSERA_CLUSTER_TLS_KEY", "TESSERA_CLUSTER_TLS_CA"}) {
      JsonObject raw = defaults().put("TESSERA_CLUSTER", "true").mergeIn(clusterKeys());
      raw.putNull(key);
      assertRejected(raw, key);
      assertRejected(raw.copy().put(key, "/nonexistent/cluster.pem"), key);
    }
  }

  @Test
  void aSingleNodeNeedsNoClusterKeys() {
    assertThat(TesseraConfig.from(defaults()).clusterSecurity()).isEmpty();
  }

  @Test
  void theClusterSecretNeverAppearsInTheConfigurationsText() {
    TesseraConfig config = TesseraConfig.from(defaults().put("TESSERA_CLUSTER", "true").mergeIn(clusterKeys()));
    assertThat(config.clusterSecurity()).isPresent();
    assertThat(config.toString()).doesNotContain(dev.tessera.testing.ClusterKeys.shared().overrides()
        .get("TESSERA_CLUSTER_SECRET").toString());
  }

  @Test
  void refreshReuseGraceIsOffByDefaultAndAtMostAMinute() {
    assertThat(TesseraConfig.from(defaults()).refreshReuseGrace()).isZero();
    assertThat(TesseraConfig.from(defaults().put("TESSERA_REFRESH_REUSE_GRACE", "PT10S")).refreshReuseGrace())
        .isEqualTo(Duration.ofSeconds(10));
    assertRejected(defaults().put("TESSERA_REFRESH_REUSE_GRACE", "PT61S"), "TESSERA_REFRESH_REUSE_GRACE");
    assertRejected(defaults().put("TESSERA_REFRESH_REUSE_GRACE", "-PT1S"), "TESSERA_REFRESH_REUSE_GRACE");
  }
}
