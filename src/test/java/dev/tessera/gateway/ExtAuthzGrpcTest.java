package dev.tessera.gateway;

import dev.tessera.testing.TestNode;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.type.v3.StatusCode;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static dev.tessera.testing.TestClient.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Envoy's gRPC ext_authz against a real node: a grpc-java client built from the same generated Envoy API
 * classes calls envoy.service.auth.v3.Authorization/Check on the HTTP port, with the request as Envoy
 * builds it (attributes.request.http with lower-case headers, pseudo-headers included).
 */
@ExtendWith(VertxExtension.class)
class ExtAuthzGrpcTest {
  @TempDir
  static Path dir;
  private static PolicyNode tessera;
  private static ManagedChannel channel;
  private static AuthorizationGrpc.AuthorizationBlockingStub authz;
  private static String aliceId;

  @BeforeAll
  static void start(Vertx vertx) {
    tessera = new PolicyNode(vertx, dir);
    aliceId = tessera.aliceId;
    // HTTP/2 cleartext with prior knowledge, as Envoy's envoy_grpc cluster with http2_protocol_options speaks it.
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", tessera.node.port(), InsecureChannelCredentials.create()).build();
    authz = AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    tessera.close();
  }

  private static String alice() {
    return tessera.alice();
  }

  static CheckRequest envoyCheck(String method, String host, String path, String authorization, Map<String, String> extensions) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":authority", host);
    headers.put(":method", method);
    headers.put(":path", path);
    headers.put(":scheme", "https");
    headers.put("user-agent", "curl/8.5.0");
    headers.put("x-request-id", "6f2c3d2e-1b7a-4f7e-9b3a-2f1d0c9e8a7b");
    headers.put("x-forwarded-proto", "https");
    headers.put("x-auth-subject", "spoofed-by-the-client");
    if (authorization != null) {
      headers.put("authorization", authorization);
    }
    int query = path.indexOf('?');
    return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .putAllContextExtensions(extensions)
        .setRequest(AttributeContext.Request.newBuilder().setHttp(AttributeContext.HttpRequest.newBuilder()
            .setId("4521372838162627611").setMethod(method).setHost(host).setScheme("https").setProtocol("HTTP/1.1")
            .setPath(path).setQuery(query < 0 ? "" : path.substring(query + 1)).putAllHeaders(headers))))
        .build();
  }

  private static Map<String, String> upstreamHeaders(CheckResponse r) {
    return r.getOkResponse().getHeadersList().stream().collect(Collectors.toMap(
        h -> h.getHeader().getKey(), h -> h.getHeader().getValue()));
  }

  private static String deniedHeader(CheckResponse r, String name) {
    return r.getDeniedResponse().getHeadersList().stream().map(HeaderValueOption::getHeader)
        .filter(h -> h.getKey().equalsIgnoreCase(name)).map(h -> h.getValue()).findFirst().orElse(null);
  }

  @Test
  void validTokenIsAllowedWithIdentityHeadersThatOverwriteTheClients() {
    CheckResponse r = authz.check(envoyCheck("POST", "shop.example.com", "/orders/42?expand=items", bearer(alice()), Map.of()));
    assertThat(r.getStatus().getCode()).isZero();
    assertThat(upstreamHeaders(r)).containsEntry("X-Auth-Subject", aliceId)
        .containsEntry("X-Auth-Username", "alice@example.com").containsEntry("X-Auth-Client-Id", "mobile")
        .containsEntry("X-Auth-Scope", "orders:read");
    assertThat(r.getOkResponse().getHeadersList()).allSatisfy(h -> assertThat(h.getAppendAction())
        .isEqualTo(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
  }

  @Test
  void missingTokenIsDenied401WithABareChallenge() {
    CheckResponse r = authz.check(envoyCheck("GET", "api.example.com", "/orders/1", null, Map.of()));
    assertThat(r.getStatus().getCode()).isEqualTo(com.google.rpc.Code.UNAUTHENTICATED_VALUE);
    assertThat(r.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);
    assertThat(deniedHeader(r, "WWW-Authenticate")).startsWith("Bearer").doesNotContain("error=");
    assertThat(r.getDeniedResponse().getBody()).isEmpty();
  }

  @Test
  void forgedTokenIsDenied401InvalidToken() {
    CheckResponse r = authz.check(envoyCheck("GET", "api.example.com", "/orders/1", bearer("tsr_forged"), Map.of()));
    assertThat(r.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);
    assertThat(deniedHeader(r, "WWW-Authenticate")).contains("error=\"invalid_token\"");
  }

  @Test
  void routePolicyDecidesFromTheOriginalMethodHostAndPath() {
    String token = bearer(alice());
    CheckResponse write = authz.check(envoyCheck("DELETE", "api.example.com", "/orders/1", token, Map.of()));
    assertThat(write.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Forbidden);
    assertThat(deniedHeader(write, "WWW-Authenticate")).contains("error=\"insufficient_scope\"", "orders:write");
    CheckResponse internal = authz.check(envoyCheck("GET", "api.example.com", "/internal/x", token, Map.of()));
    assertThat(internal.getStatus().getCode()).isEqualTo(com.google.rpc.Code.PERMISSION_DENIED_VALUE);
    assertThat(internal.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Forbidden);
  }

  @Test
  void scopeFromContextExtensionsIsAddedToTheRulesScopes() {
    CheckResponse r = authz.check(envoyCheck("GET", "api.example.com", "/orders/1", bearer(alice()),
        Map.of("scope", "orders:write")));
    assertThat(r.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Forbidden);
    assertThat(deniedHeader(r, "WWW-Authenticate")).contains("orders:read orders:write");
  }

  @Test
  void anonymousRouteRemovesSpoofedIdentityHeaders() {
    CheckResponse r = authz.check(envoyCheck("GET", "api.example.com", "/public/page", null, Map.of()));
    assertThat(r.getStatus().getCode()).isZero();
    assertThat(r.getOkResponse().getHeadersToRemoveList())
        .containsExactlyInAnyOrder("X-Auth-Subject", "X-Auth-Username", "X-Auth-Client-Id", "X-Auth-Scope");
  }

  @Test
  void clientCredentialsTokenHasNoUsernameToPassOn() {
    CheckResponse r = authz.check(envoyCheck("GET", "api.example.com", "/orders/1", bearer(tessera.service()), Map.of()));
    assertThat(upstreamHeaders(r)).containsEntry("X-Auth-Subject", "service").doesNotContainKey("X-Auth-Username");
    assertThat(r.getOkResponse().getHeadersToRemoveList()).containsExactly("X-Auth-Username");
  }

  @Test
  void checkIsServedOverTlsOnTheSamePort(Vertx vertx) throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    try (TestNode tls = TestNode.start(Map.of("TESSERA_TLS_CERT", certificate.certificatePath(),
        "TESSERA_TLS_KEY", certificate.privateKeyPath()))) {
      ManagedChannel secure = Grpc.newChannelBuilderForAddress("127.0.0.1", tls.port(),
          TlsChannelCredentials.newBuilder().trustManager(new File(certificate.certificatePath())).build())
          .overrideAuthority("localhost").build();
      try {
        CheckResponse r = AuthorizationGrpc.newBlockingStub(secure).withDeadlineAfter(30, TimeUnit.SECONDS)
            .check(envoyCheck("GET", "api.example.com", "/orders/1", bearer("tsr_forged"), Map.of()));
        assertThat(r.getDeniedResponse().getStatus().getCode()).isEqualTo(StatusCode.Unauthorized);
      } finally {
        secure.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    } finally {
      certificate.delete();
    }
  }
}
