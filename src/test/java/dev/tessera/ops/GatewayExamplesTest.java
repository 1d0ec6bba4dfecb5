package dev.tessera.ops;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TypeRegistry;
import com.google.protobuf.util.JsonFormat;
import dev.tessera.testing.TestNode;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthz;
import io.envoyproxy.envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * conf/gateways/: each example is valid for its gateway (Kubernetes, Gateway API, Istio and Traefik
 * objects against their published schemas through Node; Envoy's static configurations against Envoy's
 * own v3 protos) and wired to the doors Tessera serves, with all four identity headers passed on.
 */
class GatewayExamplesTest {
  private static final Path DIR = Path.of("conf/gateways");
  private static final List<String> IDENTITY = List.of("x-auth-subject", "x-auth-username", "x-auth-client-id", "x-auth-scope");
  private static final TypeRegistry ENVOY_TYPES = TypeRegistry.newBuilder()
      .add(HttpConnectionManager.getDescriptor()).add(ExtAuthz.getDescriptor()).add(ExtAuthzPerRoute.getDescriptor())
      .add(Router.getDescriptor()).add(HttpProtocolOptions.getDescriptor()).build();

  private static List<JsonObject> yaml(String file) throws IOException {
    List<JsonObject> docs = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(DIR.resolve(file)))) {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) doc;
      docs.add(new JsonObject(map));
    }
    return docs;
  }

  /** Strict: an unknown field or a wrong type is an error, as in Envoy's own config loading. */
  private static Bootstrap envoy(String file) throws IOException {
    Bootstrap.Builder bootstrap = Bootstrap.newBuilder();
    try {
      JsonFormat.parser().usingTypeRegistry(ENVOY_TYPES).merge(yaml(file).get(0).encode(), bootstrap);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(file + " is not a valid envoy.config.bootstrap.v3.Bootstrap: " + e.getMessage(), e);
    }
    return bootstrap.build();
  }

  private static ExtAuthz extAuthz(Bootstrap b) throws InvalidProtocolBufferException {
    HttpConnectionManager hcm = b.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0)
        .getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFilters(0).getName()).isEqualTo("envoy.filters.http.ext_authz");
    assertThat(hcm.getHttpFiltersList()).last().satisfies(f -> assertThat(f.getName()).isEqualTo("envoy.filters.http.router"));
    return hcm.getHttpFilters(0).getTypedConfig().unpack(ExtAuthz.class);
  }

  private static Cluster cluster(Bootstrap b, String name) {
    return b.getStaticResources().getClustersList().stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void kubernetesGatewayApiIstioAndTraefikExamplesMatchTheirPublishedSchemas() {
    ExternalTools.requireNodeValidators();
    ExternalTools.Result r = ExternalTools.run(Duration.ofMinutes(3), List.of("node", "tools/validate/validate-gateways.mjs"));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    assertThat(r.output()).contains("validate-gateways: OK");
  }

  @Test
  void envoyValidationRejectsATypoInTheExample() throws IOException {
    String typo = Files.readString(DIR.resolve("envoy-http.yaml")).replace("path_prefix:", "path_prefx:");
    Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(typo);
    @SuppressWarnings("unchecked")
    String json = new JsonObject((Map<String, Object>) doc).encode();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> JsonFormat.parser().usingTypeRegistry(ENVOY_TYPES)
        .merge(json, Bootstrap.newBuilder())).isInstanceOf(InvalidProtocolBufferException.class).hasMessageContaining("path_prefx");
  }

  @Test
  void envoyHttpExampleCallsTheVerifyPrefixAndPassesTheIdentityHeadersUpstream() throws IOException {
    ExtAuthz authz = extAuthz(envoy("envoy-http.yaml"));
    assertThat(authz.getFailureModeAllow()).isFalse();
    assertThat(authz.getHttpService().getPathPrefix()).isEqualTo("/auth/verify");
    assertThat(authz.getHttpService().getAuthorizationResponse().getAllowedUpstreamHeaders().getPatternsList())
        .extracting(StringMatcher::getExact).containsExactlyInAnyOrderElementsOf(IDENTITY);
    assertThat(authz.getHttpService().getAuthorizationResponse().getAllowedClientHeaders().getPatternsList())
        .extracting(StringMatcher::getExact).contains("www-authenticate");
  }

  @Test
  void envoyGrpcExampleSpeaksHttp2ToTesserasPortAndSetsRouteScopes() throws IOException {
    Bootstrap b = envoy("envoy-grpc.yaml");
    ExtAuthz authz = extAuthz(b);
    assertThat(authz.getFailureModeAllow()).isFalse();
    assertThat(authz.getGrpcService().getEnvoyGrpc().getClusterName()).isEqualTo("tessera");
    HttpProtocolOptions http = cluster(b, "tessera").getTypedExtensionProtocolOptionsOrThrow(
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions").unpack(HttpProtocolOptions.class);
    assertThat(http.getExplicitHttpConfig().hasHttp2ProtocolOptions()).isTrue();
    var route = b.getStaticResources().getListeners(0).getFilterChains(0).getFilters(0).getTypedConfig()
        .unpack(HttpConnectionManager.class).getRouteConfig().getVirtualHosts(0).getRoutes(0);
    assertThat(route.getTypedPerFilterConfigOrThrow("envoy.filters.http.ext_authz").unpack(ExtAuthzPerRoute.class)
        .getCheckSettings().getContextExtensionsMap()).containsEntry("scope", "admin");
  }

  @Test
  void everyKubernetesAndTraefikExampleCopiesAllFourIdentityHeaders() throws IOException {
    JsonObject traefik = yaml("traefik-dynamic.yaml").get(0).getJsonObject("http").getJsonObject("middlewares");
    for (String name : List.of("tessera", "tessera-admin")) {
      JsonObject forwardAuth = traefik.getJsonObject(name).getJsonObject("forwardAuth");
      assertThat(lower(forwardAuth.getJsonArray("authResponseHeaders"))).as(name).containsExactlyInAnyOrderElementsOf(IDENTITY);
      assertThat(forwardAuth.getString("address")).contains("/auth/verify");
      assertThat(forwardAuth.getBoolean("trustForwardHeader")).isFalse();
    }
    JsonObject providers = yaml("istio.yaml").get(0).getJsonObject("spec").getJsonObject("meshConfig")
        .getJsonArray("extensionProviders").getJsonObject(1).getJsonObject("envoyExtAuthzHttp");
    assertThat(providers.getString("pathPrefix")).isEqualTo("/auth/verify");
    assertThat(lower(providers.getJsonArray("headersToUpstreamOnAllow"))).containsExactlyInAnyOrderElementsOf(IDENTITY);
    JsonObject route = yaml("gateway-api.yaml").get(0);
    JsonObject http = route.getJsonObject("spec").getJsonArray("rules").getJsonObject(0).getJsonArray("filters")
        .getJsonObject(0).getJsonObject("externalAuth").getJsonObject("http");
    assertThat(http.getString("path")).isEqualTo("/auth/verify");
    assertThat(lower(http.getJsonArray("allowedResponseHeaders"))).containsExactlyInAnyOrderElementsOf(IDENTITY);
    for (JsonObject ingress : yaml("ingress-nginx.yaml")) {
      JsonObject annotations = ingress.getJsonObject("metadata").getJsonObject("annotations");
      assertThat(List.of(annotations.getString("nginx.ingress.kubernetes.io/auth-response-headers").toLowerCase().split(",")))
          .containsExactlyInAnyOrderElementsOf(IDENTITY);
    }
  }

  @Test
  void ingressNginxAuthCacheStaysInsideTheRevocationBound() throws IOException {
    Duration bound = Duration.parse(TestNode.defaults().getString("TESSERA_CATCHUP_INTERVAL"));
    JsonObject annotations = yaml("ingress-nginx.yaml").get(0).getJsonObject("metadata").getJsonObject("annotations");
    // The answer depends on the token and, with a route policy, on the method, host and URI.
    assertThat(annotations.getString("nginx.ingress.kubernetes.io/auth-cache-key"))
        .contains("$http_authorization", "$request_method", "$host", "$request_uri");
    for (String entry : annotations.getString("nginx.ingress.kubernetes.io/auth-cache-duration").split(",")) {
      String[] parts = entry.trim().split("\\s+");
      Duration cached = nginxDuration(parts[parts.length - 1]);
      assertThat(cached).as(entry).isLessThanOrEqualTo(bound);
    }
  }

  private static Duration nginxDuration(String text) {
    long n = Long.parseLong(text.replaceAll("[a-z]+$", ""));
    return switch (text.replaceAll("^\\d+", "")) {
      case "ms" -> Duration.ofMillis(n);
      case "s", "" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> throw new AssertionError("unexpected nginx time " + text);
    };
  }

  private static List<String> lower(JsonArray values) {
    return values.stream().map(v -> v.toString().toLowerCase()).toList();
  }
}
