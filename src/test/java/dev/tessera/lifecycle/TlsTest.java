package dev.tessera.lifecycle;

import dev.tessera.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.net.SelfSignedCertificate;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** TESSERA_TLS_CERT / TESSERA_TLS_KEY turn the HTTP server into an HTTPS server with those PEM files. */
@ExtendWith(VertxExtension.class)
class TlsTest {

  @Test
  void withPemFilesTheServerSpeaksOnlyHttps(Vertx vertx) {
    SelfSignedCertificate certificate = SelfSignedCertificate.create("localhost");
    try (TestNode node = TestNode.start(Map.of("TESSERA_TLS_CERT", certificate.certificatePath(),
        "TESSERA_TLS_KEY", certificate.privateKeyPath()))) {
      WebClient https = WebClient.create(vertx, new WebClientOptions().setSsl(true).setTrustAll(true)
          .setVerifyHost(false));
      var overTls = https.get(node.port(), "127.0.0.1", "/health/live").send().await();
      assertThat(overTls.statusCode()).isEqualTo(200);
      assertThat(overTls.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000");
      var tokenEndpoint = https.post(node.port(), "127.0.0.1", "/oauth2/token").send().await();
      assertThat(tokenEndpoint.statusCode()).isEqualTo(400);
      assertThat(tokenEndpoint.getHeader("Strict-Transport-Security")).isEqualTo("max-age=31536000");

      WebClient plain = WebClient.create(vertx);
      var overPlainHttp = plain.get(node.port(), "127.0.0.1", "/health/live").send();
      assertThat(overPlainHttp.transform(r -> io.vertx.core.Future.succeededFuture(
          r.succeeded() ? r.result().statusCode() : -1)).await()).isNotEqualTo(200);
      https.close();
      plain.close();
    } finally {
      certificate.delete();
    }
  }

  @Test
  void withoutTlsNoStrictTransportSecurityHeaderIsSent(Vertx vertx) {
    try (TestNode node = TestNode.start()) {
      WebClient plain = WebClient.create(vertx);
      var response = plain.post(node.port(), "127.0.0.1", "/oauth2/token").send().await();
      assertThat(response.statusCode()).isEqualTo(400);
      // RFC 6797 §7.2: over plain HTTP the header is meaningless and must not be sent.
      assertThat(response.getHeader("Strict-Transport-Security")).isNull();
      plain.close();
    }
  }
}
