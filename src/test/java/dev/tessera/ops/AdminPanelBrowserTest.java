package dev.tessera.ops;

import dev.tessera.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin panel in a real headless Chromium (Playwright, e2e/admin-panel.test.mjs) against a real
 * node: sign in on Tessera's page (authorization code + PKCE back to /admin/, code, state and iss checked,
 * the exchanged token introspected), reload and stay signed in, create a user, two device logins, revoke the lost phone in the panel, and prove through
 * introspection that exactly that token died.
 */
class AdminPanelBrowserTest {

  @Test
  void anAdminRevokesTheLostPhoneInTheBrowserAndOnlyThatTokenDies() {
    ExternalTools.require(ExternalTools.executable("node").isPresent(), "node", "apt-get install -y nodejs npm");
    ExternalTools.require(Files.isExecutable(Path.of("/usr/bin/chromium")), "chromium", "apt-get install -y chromium");
    int port = TestNode.freePort();
    // The panel's redirect URI is /admin/ on the issuer: the browser uses the issuer's own address.
    String url = "http://127.0.0.1:" + port;
    try (TestNode node = TestNode.start(Map.of("TESSERA_HTTP_PORT", port, "TESSERA_ISSUER", url))) {
      var result = ExternalTools.run(Duration.ofMinutes(5), List.of("env",
          "TESSERA_URL=" + url,
          "TESSERA_ADMIN_USERNAME=" + TestNode.ADMIN_USERNAME,
          "TESSERA_ADMIN_PASSWORD=" + TestNode.ADMIN_PASSWORD,
          "SCREENSHOT_DIR=target/screenshots",
          "e2e/run.sh"));
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.output()).contains("# fail 0");
    }
  }
}
