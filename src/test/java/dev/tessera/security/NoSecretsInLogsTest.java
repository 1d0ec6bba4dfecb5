package dev.tessera.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.tessera.testing.TestClient;
import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.tessera.testing.TestClient.basic;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN §2: a raw token is shown once, in the issue response, and never logged; passwords and client
 * secrets neither. Every log event of a full scenario, from every logger in this JVM at DEBUG and
 * Tessera's own at TRACE, is captured and searched for every secret the scenario used or was given.
 */
@ExtendWith(VertxExtension.class)
class NoSecretsInLogsTest {

  @Test
  void noTokenPasswordOrClientSecretAppearsInAnyLogEvent(Vertx vertx) {
    LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = logging.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger tessera = logging.getLogger("dev.tessera");
    Level rootLevel = root.getLevel();
    Level tesseraLevel = tessera.getLevel();
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.setContext(logging);
    captured.start();
    root.addAppender(captured);
    root.setLevel(Level.DEBUG);
    tessera.setLevel(Level.TRACE);
    Set<String> secrets = new LinkedHashSet<>();
    try {
      runFullScenario(vertx, secrets);
    } finally {
      root.detachAppender(captured);
      root.setLevel(rootLevel);
      tessera.setLevel(tesseraLevel);
      captured.stop();
    }

    assertThat(captured.list).as("the scenario logged something, so the capture works").isNotEmpty();
    List<String> leaks = new ArrayList<>();
    for (ILoggingEvent event : captured.list) {
      String text = everythingIn(event);
      for (String secret : secrets) {
        if (text.contains(secret)) {
          leaks.add(event.getLoggerName() + " " + event.getLevel() + ": " + event.getFormattedMessage()
              + " (contains a secret starting " + secret.substring(0, 6) + "…)");
        }
      }
    }
    assertThat(leaks).as("log events carrying a token, password or client secret").isEmpty();
  }

  /** Sign-ins, issue, refresh, reuse, introspection, revocation, admin changes and failures of each. */
  private static void runFullScenario(Vertx vertx, Set<String> secrets) {
    try (TestNode node = TestNode.start(); TestClient http = new TestClient(vertx, node.port())) {
      secrets.add(TestNode.ADMIN_PASSWORD);
      String admin = http.adminToken();
      secrets.add(admin);

      String postSecret = "confidential-secret-5b1f0c9e";
      secrets.add(postSecret);
      http.createConfidentialClient(admin, "ls-web", postSecret, "read");
      String gatewaySecret = http.createResourceServer(admin, "ls-gateway", "read").getString("client_secret");
      secrets.add(gatewaySecret);
      http.createPublicClient(admin, "ls-mobile", "read");

      String password = "user-password-7d2a41";
      String newPassword = "changed-password-88c3e0";
      secrets.add(password);
      secrets.add(newPassword);
      String userId = http.createUser(admin, "ls-user@example.com", password, "read").getString("id");

      JsonObject mobile = http.login("ls-mobile", "ls-user@example.com", password, "phone");
      collectTokens(mobile, secrets);
      JsonObject web = http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "ls-web",
          "client_secret", postSecret, "username", "ls-user@example.com", "password", password)).bodyAsJsonObject();
      collectTokens(web, secrets);
      JsonObject machine = http.postForm("/oauth2/token", Map.of("grant_type", "client_credentials"),
          basic("ls-gateway", gatewaySecret)).bodyAsJsonObject();
      collectTokens(machine, secrets);

      JsonObject rotated = http.refresh("ls-mobile", mobile.getString("refresh_token")).bodyAsJsonObject();
      collectTokens(rotated, secrets);
      // Reuse of a rotated refresh token revokes the family (and is the kind of event worth logging).
      http.refresh("ls-mobile", mobile.getString("refresh_token"));

      http.introspect("ls-gateway", gatewaySecret, web.getString("access_token"));
      http.introspect("ls-gateway", gatewaySecret, mobile.getString("access_token"));
      http.get("/auth/verify", TestClient.bearer(web.getString("access_token")));
      http.get("/auth/verify?scope=admin", TestClient.bearer(web.getString("access_token")));
      http.postForm("/oauth2/revoke", Map.of("token", web.getString("refresh_token"), "client_id", "ls-web",
          "client_secret", postSecret));

      // Failures: wrong passwords and secrets, a secret sent to the wrong client, garbage and forged tokens.
      String wrongPassword = "wrong-password-19fa7c";
      String wrongSecret = "wrong-secret-c0ffee42";
      secrets.add(wrongPassword);
      secrets.add(wrongSecret);
      http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "ls-mobile",
          "username", "ls-user@example.com", "password", wrongPassword));
      http.postForm("/oauth2/token", Map.of("grant_type", "password", "client_id", "ls-mobile",
          "username", "ls-nobody", "password", wrongPassword));
      http.postForm("/oauth2/introspect", Map.of("token", machine.getString("access_token")), basic("ls-gateway", wrongSecret));
      http.postForm("/oauth2/introspect", Map.of("token", machine.getString("access_token")), basic("ls-web", gatewaySecret));
      String garbage = "tsr_garbage-token-value-that-is-not-valid-at-all-x";
      secrets.add(garbage);
      http.get("/auth/verify", TestClient.bearer(garbage));
      http.introspect("ls-gateway", gatewaySecret, garbage);
      String forged = mobile.getString("access_token").substring(0, 20) + "Q" + mobile.getString("access_token").substring(21);
      secrets.add(forged);
      http.get("/auth/verify", TestClient.bearer(forged));
      http.json("GET", "/admin/api/users", null, forged);
      http.refresh("ls-mobile", forged);
      HttpResponse<Buffer> brokenJson = http.send("POST", "/admin/api/users", "application/json",
          Buffer.buffer("{\"username\":\"ls-broken\",\"password\":\"" + wrongPassword), admin);
      assertThat(brokenJson.statusCode()).isEqualTo(400);

      // Admin changes: a password change, a session revocation, disabling the user.
      http.json("PATCH", "/admin/api/users/" + userId, new JsonObject().put("password", newPassword), admin);
      JsonObject again = http.login("ls-mobile", "ls-user@example.com", newPassword, "tablet");
      collectTokens(again, secrets);
      String session = http.json("GET", "/admin/api/users/" + userId + "/sessions", null, admin).bodyAsJsonObject()
          .getJsonArray("items").getJsonObject(0).getString("id");
      http.json("DELETE", "/admin/api/sessions/" + session, null, admin);
      http.json("PATCH", "/admin/api/users/" + userId, new JsonObject().put("disabled", true), admin);
      http.introspect("ls-gateway", gatewaySecret, again.getString("access_token"));
      http.json("DELETE", "/admin/api/clients/ls-web", null, admin);
    }
  }

  private static void collectTokens(JsonObject tokenResponse, Set<String> secrets) {
    assertThat(tokenResponse.getString("access_token")).as("a token response: %s", tokenResponse.encode()).isNotNull();
    secrets.add(tokenResponse.getString("access_token"));
    if (tokenResponse.getString("refresh_token") != null) {
      secrets.add(tokenResponse.getString("refresh_token"));
    }
  }

  /** The formatted message, the raw arguments, the MDC and the whole throwable chain with its messages. */
  private static String everythingIn(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getFormattedMessage() == null ? "" : event.getFormattedMessage());
    if (event.getArgumentArray() != null) {
      for (Object argument : event.getArgumentArray()) {
        text.append('\n').append(argument);
      }
    }
    event.getMDCPropertyMap().forEach((k, v) -> text.append('\n').append(k).append('=').append(v));
    if (event.getThrowableProxy() != null) {
      text.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    return text.toString();
  }
}
