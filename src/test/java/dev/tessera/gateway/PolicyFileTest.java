package dev.tessera.gateway;

import dev.tessera.testing.Readme;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The policy file format of DESIGN.md §8: globs, canonical paths, first match, strict errors. */
class PolicyFileTest {
  private static final String JSON = """
      {
        "default": "authenticated",
        "rules": [
          {"host": "api.example.com", "methods": ["POST", "PUT", "DELETE"], "path": "/orders/**", "scopes": ["orders:write"]},
          {"path": "/orders/**", "scopes": ["orders:read"]},
          {"path": "/public/**", "policy": "anonymous"},
          {"path": "/internal/**", "policy": "deny"},
          {"host": "*.example.org", "path": "/files/*.png", "policy": "anonymous"}
        ]
      }
      """;

  private static RoutePolicy parse(String name, String text) {
    return PolicyFile.parse(name, Buffer.buffer(text));
  }

  private static OriginalRequest request(String method, String host, String path) {
    return new OriginalRequest() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public String host() {
        return host;
      }

      @Override
      public String rawPath() {
        return path;
      }
    };
  }

  private static String decide(RoutePolicy policy, String method, String host, String path) {
    PolicyRule rule = policy.match(request(method, host, path));
    return rule.access().label() + (rule.scopes().isEmpty() ? "" : " " + rule.scopes());
  }

  /** The README's example policy is a valid file and decides what the README says it does. */
  @Test
  void theReadmesExampleDecidesAsTheReadmeSays() {
    java.util.List<String> examples = Readme.read().section("### Route policy").blocks("yaml");
    assertThat(examples).hasSize(1);
    RoutePolicy p = parse("policy.yaml", examples.get(0));
    assertThat(decide(p, "DELETE", "api.example.com", "/orders/7")).isEqualTo("authenticated orders:write");
    assertThat(decide(p, "GET", "api.example.com", "/orders/7")).isEqualTo("authenticated orders:read");
    assertThat(decide(p, "GET", "api.example.com", "/public/logo.png")).isEqualTo("anonymous");
    assertThat(decide(p, "GET", "api.example.com", "/internal/x")).isEqualTo("deny");
    assertThat(decide(p, "GET", "api.example.com", "/public/..%2Finternal/x")).as("the README's own example").isEqualTo("deny");
    assertThat(decide(p, "GET", "api.example.com", "/elsewhere")).isEqualTo("authenticated");
  }

  @Test
  void firstMatchingRuleDecidesAndTheDefaultTakesTheRest() {
    RoutePolicy p = parse("policy.json", JSON);
    assertThat(decide(p, "POST", "api.example.com", "/orders/1")).isEqualTo("authenticated orders:write");
    assertThat(decide(p, "GET", "api.example.com", "/orders/1")).isEqualTo("authenticated orders:read");
    assertThat(decide(p, "POST", "other.example.com", "/orders")).isEqualTo("authenticated orders:read");
    assertThat(decide(p, "GET", null, "/public/a/b/c")).isEqualTo("anonymous");
    assertThat(decide(p, "GET", null, "/internal")).isEqualTo("deny");
    assertThat(decide(p, "GET", null, "/elsewhere")).isEqualTo("authenticated");
    assertThat(decide(p, null, null, null)).isEqualTo("authenticated");
  }

  @Test
  void starMatchesWithinOneSegmentAndHostWildcardsMatchSubdomains() {
    RoutePolicy p = parse("policy.json", JSON);
    assertThat(decide(p, "GET", "cdn.example.org", "/files/logo.png")).isEqualTo("anonymous");
    assertThat(decide(p, "GET", "cdn.example.org", "/files/a/logo.png")).isEqualTo("authenticated");
    assertThat(decide(p, "GET", "example.org", "/files/logo.png")).isEqualTo("authenticated");
    assertThat(decide(p, "GET", "cdn.example.org", "/files/logo.gif")).isEqualTo("authenticated");
  }

  @Test
  void globsMatchTheCanonicalPathWithoutQuery() {
    PathGlob g = PathGlob.compile("/a/*/c/**");
    assertThat(g.matches(RequestPath.canonical("/a/b/c"))).isTrue();
    assertThat(g.matches(RequestPath.canonical("/a/b/c/d/e?x=/a"))).isTrue();
    assertThat(g.matches(RequestPath.canonical("/a/c"))).isFalse();
    assertThat(g.matches(RequestPath.canonical("/a/b/x/c"))).isFalse();
    assertThat(PathGlob.compile("/").matches(RequestPath.canonical("/"))).isTrue();
    assertThat(PathGlob.compile("/**").matches(RequestPath.canonical("/any/thing"))).isTrue();
    assertThat(PathGlob.compile("/**/admin").matches(RequestPath.canonical("/x/y/admin/"))).isTrue();
  }

  @Test
  void pathsAreDecodedAndDotSegmentsRemovedBeforeMatching() {
    assertThat(RequestPath.canonical("/public/..%2Finternal/x")).isEqualTo("/internal/x");
    assertThat(RequestPath.canonical("/public/%2e%2e/internal")).isEqualTo("/internal");
    assertThat(RequestPath.canonical("//a///b/./c/")).isEqualTo("/a/b/c");
    assertThat(RequestPath.canonical("/../../x")).isEqualTo("/x");
    assertThat(RequestPath.canonical("/caf%C3%A9")).isEqualTo("/café");
    assertThat(RequestPath.canonical("/bad%zz")).isNull();
    assertThat(RequestPath.canonical("/nul%00byte")).isNull();
    assertThat(RequestPath.canonical("/back%5Cslash")).isNull();
    assertThat(RequestPath.canonical("/not-utf8%C3")).isNull();
    assertThat(RequestPath.canonical("relative")).isNull();
  }

  @Test
  void anUnreadablePathIsDeniedWhenThePolicyHasPathRules() {
    RoutePolicy p = parse("policy.json", JSON);
    assertThat(decide(p, "GET", null, "/public/%zz")).isEqualTo("deny");
  }

  @Test
  void yamlAndJsonDescribeTheSamePolicy() {
    RoutePolicy yaml = parse("policy.yml", PolicyNode.POLICY);
    RoutePolicy json = parse("policy.json", JSON);
    for (String[] r : new String[][] {{"POST", "api.example.com", "/orders/1"}, {"GET", "x", "/orders"},
        {"GET", "x", "/public/y"}, {"DELETE", "x", "/internal/z"}, {"GET", "x", "/"}}) {
      assertThat(decide(yaml, r[0], r[1], r[2])).as(String.join(" ", r)).isEqualTo(decide(json, r[0], r[1], r[2]));
    }
  }

  @Test
  void emptyFileMeansEveryRouteNeedsAToken() {
    RoutePolicy p = parse("policy.yaml", "");
    assertThat(decide(p, "GET", "h", "/x")).isEqualTo("authenticated");
    assertThat(parse("policy.json", "{\"default\": \"anonymous\"}").fallback()).isEqualTo(Access.ANONYMOUS);
  }

  @Test
  void mistakesAreOneLineNamingTheFileAndTheRule() {
    assertError("{\"rules\": [{\"path\": \"/a\"}, {\"path\": \"/orders/**\", \"paths\": \"/x\"}]}",
        "/etc/tessera/policy.json: rule 2 (/orders/**): unknown field \"paths\"");
    assertError("{\"rules\": [{\"path\": \"/a\", \"policy\": \"allow\"}]}", "rule 1 (/a): policy must be");
    assertError("{\"rules\": [{\"path\": \"/a\", \"policy\": \"deny\", \"scopes\": [\"x\"]}]}",
        "rule 1 (/a): scopes apply only to policy authenticated");
    assertError("{\"rules\": [{\"path\": \"orders\"}]}", "rule 1 (orders): path must start with /");
    assertError("{\"rules\": [{\"path\": \"/a**\"}]}", "** must be a whole path segment");
    assertError("{\"rules\": [{\"methods\": []}]}", "rule 1 (): methods must not be empty");
    assertError("{\"rules\": [{\"host\": \"api.example.com:443\"}]}", "must be a host name (no port)");
    assertError("{\"rules\": [{\"scopes\": [\"has space\"]}]}", "rule 1: scopes: invalid scope token");
    assertError("{\"rules\": {\"path\": \"/a\"}}", "rules must be a list");
    assertError("{\"default\": \"open\"}", "default: policy must be");
    assertError("{\"defaults\": \"anonymous\"}", "unknown field \"defaults\"");
    assertError("{not json", "not a valid JSON object");
  }

  @Test
  void yamlMistakesAreReportedToo() {
    assertThatThrownBy(() -> parse("p.yaml", "rules:\n  - path: /a\n   bad indent: [")).isInstanceOf(PolicyFile.Invalid.class)
        .hasMessageStartingWith("p.yaml: not a valid YAML object").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> parse("p.yaml", "- just\n- a list\n")).isInstanceOf(PolicyFile.Invalid.class)
        .hasMessageContaining("not a valid YAML object");
  }

  private static void assertError(String json, String expected) {
    assertThatThrownBy(() -> parse("/etc/tessera/policy.json", json)).isInstanceOf(PolicyFile.Invalid.class)
        .hasMessageStartingWith("/etc/tessera/policy.json: ").hasMessageContaining(expected)
        .hasMessageNotContaining("\n");
  }
}
