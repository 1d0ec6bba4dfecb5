package dev.tessera.ops;

import dev.tessera.testing.Readme;
import dev.tessera.testing.TestNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's walk-through, pasted into bash as a reader would: every {@code sh} block of the section, in
 * order, in one shell, against a node started with the admin password of the README's start command. Only
 * the port is changed (the node's is free, 8080 may not be). Each block's output is checked for what the
 * README says it shows, so a renamed field, a changed status or a broken step fails here.
 */
class ReadmeWalkthroughTest {
  private static final Pattern ADMIN_PASSWORD = Pattern.compile("TESSERA_ADMIN_PASSWORD=(\\S+) java -jar");
  private static final String MARK = "::readme-block::";

  @Test
  void theWalkthroughRunsAndShowsWhatItSays() throws IOException {
    for (String tool : List.of("bash", "curl", "jq", "openssl")) {
      ExternalTools.require(ExternalTools.executable(tool).isPresent(), tool, "apt-get install -y " + tool);
    }
    Readme readme = Readme.read();
    Matcher password = ADMIN_PASSWORD.matcher(readme.section("## Set up").text());
    assertThat(password.find()).as("the README's start command sets TESSERA_ADMIN_PASSWORD").isTrue();
    List<String> blocks = readme.section("## Walk-through").blocks("sh");
    assertThat(blocks).as("the walk-through's sh blocks").hasSize(7);

    Path dir = Files.createTempDirectory("tessera-readme");
    try (TestNode node = TestNode.start(Map.of("TESSERA_ADMIN_PASSWORD", password.group(1)))) {
      StringBuilder script = new StringBuilder("set -e -o pipefail\ncd '" + dir + "'\n");
      for (String block : blocks) {
        script.append("echo '").append(MARK).append("'\n")
            .append(block.replace("localhost:8080", "localhost:" + node.port()));
      }
      Path file = dir.resolve("walkthrough.sh");
      Files.writeString(file, script);
      ExternalTools.Result run = ExternalTools.run(Duration.ofMinutes(2), List.of("bash", file.toString()));
      assertThat(run.exitCode()).as(run.describe()).isZero();

      List<String> out = List.of(run.output().split(Pattern.quote(MARK + "\n"), -1)).subList(1, blocks.size() + 1);
      assertThat(out.get(0)).as("set-up: three clients/users created\n" + run.describe())
          .contains("\"client_id\":\"mobile-app\"", "\"client_id\":\"gateway\"", "\"username\":\"alice@example.com\"");
      assertThat(out.get(1)).as("sign-in on the page, code exchanged\n" + run.describe())
          .contains("http://127.0.0.1/callback?code=tsr_", "state=s1", "\"access_token\"", "\"refresh_token\"");
      assertThat(out.get(2)).as("introspection\n" + run.describe()).contains("\"active\": true", "alice@example.com");
      assertThat(out.get(3)).as("forward auth\n" + run.describe())
          .containsIgnoringCase("HTTP/1.1 200").containsIgnoringCase("x-auth-subject")
          .containsIgnoringCase("HTTP/1.1 403").containsIgnoringCase("insufficient_scope");
      assertThat(out.get(4)).as("the admin finds and revokes the session\n" + run.describe())
          .contains("\"device\": \"Pixel 8\"").contains("\"revoked\"");
      assertThat(out.get(5)).as("dead everywhere\n" + run.describe())
          .contains("{\"active\":false}").containsIgnoringCase("HTTP/1.1 401").containsIgnoringCase("www-authenticate");
      assertThat(out.get(6)).as("the audit log\n" + run.describe()).contains("login_succeeded", "session_revoked");
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
