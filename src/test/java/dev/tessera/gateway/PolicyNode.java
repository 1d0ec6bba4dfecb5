package dev.tessera.gateway;

import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A node running the route policy of DESIGN.md §8 ({@link #POLICY}), with the public client "mobile"
 * (orders:read, orders:write), the resource server "service" (orders:read, client_credentials) and the
 * user alice, who holds orders:read only.
 */
final class PolicyNode implements AutoCloseable {
  static final String POLICY = """
      # The example of DESIGN.md §8, in YAML.
      default: authenticated
      rules:
        - host: api.example.com
          methods: [POST, PUT, DELETE]
          path: /orders/**
          scopes: [orders:write]
        - path: /orders/**
          scopes: [orders:read]
        - path: /public/**
          policy: anonymous
        - path: /internal/**
          policy: deny
      """;

  final TestNode node;
  final TestClient http;
  final String aliceId;
  final String serviceSecret;

  PolicyNode(Vertx vertx, Path dir) {
    Path policy = dir.resolve("policy.yaml");
    try {
      Files.writeString(policy, POLICY);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    node = TestNode.start(Map.of("TESSERA_POLICY_FILE", policy.toString()));
    http = new TestClient(vertx, node.port());
    String admin = http.adminToken();
    http.createPublicClient(admin, "mobile", "orders:read", "orders:write");
    serviceSecret = http.createResourceServer(admin, "service", "orders:read").getString("client_secret");
    aliceId = http.createUser(admin, "alice@example.com", "alice-password", "orders:read").getString("id");
  }

  String alice() {
    return http.login("mobile", "alice@example.com", "alice-password", "gateway test").getString("access_token");
  }

  /** A client_credentials token of "service": it has no username. */
  String service() {
    return http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
        TestClient.basic("service", serviceSecret)).bodyAsJsonObject().getString("access_token");
  }

  @Override
  public void close() {
    http.close();
    node.close();
  }
}
