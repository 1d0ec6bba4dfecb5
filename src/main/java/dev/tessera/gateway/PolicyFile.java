package dev.tessera.gateway;

import dev.tessera.domain.Scopes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code TESSERA_POLICY_FILE} (DESIGN.md §8): JSON, or YAML when the name ends in .yaml/.yml.
 * Strict: an unknown field is a typo that would otherwise silently widen access, so it is an error
 * naming the rule, like every other problem.
 */
public final class PolicyFile {
  private static final Set<String> TOP_FIELDS = Set.of("default", "rules");
  private static final Set<String> RULE_FIELDS = Set.of("host", "methods", "path", "policy", "scopes");
  private static final int MAX_RULES = 1000;

  private PolicyFile() {
  }

  /** Why a policy file cannot be used; the message is one line naming the file and the rule. */
  public static final class Invalid extends RuntimeException {
    Invalid(String file, String problem) {
      super(file + ": " + problem);
    }
  }

  public static RoutePolicy parse(String file, Buffer content) {
    JsonObject root;
    try {
      root = isYaml(file) ? yaml(content) : new JsonObject(content);
    } catch (DecodeException | YAMLException | ClassCastException e) {
      throw new Invalid(file, "not a valid " + (isYaml(file) ? "YAML" : "JSON") + " object: "
          + firstLine(e.getMessage()));
    }
    for (String field : root.fieldNames()) {
      if (!TOP_FIELDS.contains(field)) {
        throw new Invalid(file, "unknown field \"" + field + "\" (expected default, rules)");
      }
    }
    Access fallback;
    try {
      fallback = root.getValue("default") == null ? Access.AUTHENTICATED : Access.parse(text(root, "default"));
    } catch (IllegalArgumentException e) {
      throw new Invalid(file, "default: " + e.getMessage());
    }
    Object rawRules = root.getValue("rules");
    if (rawRules != null && !(rawRules instanceof JsonArray)) {
      throw new Invalid(file, "rules must be a list");
    }
    JsonArray rules = rawRules == null ? new JsonArray() : (JsonArray) rawRules;
    if (rules.size() > MAX_RULES) {
      throw new Invalid(file, "at most " + MAX_RULES + " rules, has " + rules.size());
    }
    List<PolicyRule> parsed = new ArrayList<>(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      Object rule = rules.getValue(i);
      String name = "rule " + (i + 1);
      if (!(rule instanceof JsonObject r)) {
        throw new Invalid(file, name + ": must be an object");
      }
      name = name + describe(r);
      try {
        parsed.add(rule(name, r));
      } catch (IllegalArgumentException | ClassCastException e) {
        throw new Invalid(file, name + ": " + e.getMessage());
      }
    }
    return new RoutePolicy(fallback, parsed);
  }

  private static PolicyRule rule(String name, JsonObject r) {
    for (String field : r.fieldNames()) {
      if (!RULE_FIELDS.contains(field)) {
        throw new IllegalArgumentException("unknown field \"" + field + "\" (expected host, methods, path, policy, scopes)");
      }
    }
    Access access = r.getValue("policy") == null ? Access.AUTHENTICATED : Access.parse(text(r, "policy"));
    Scopes scopes = Scopes.NONE;
    if (r.getValue("scopes") != null) {
      List<String> list = strings(r, "scopes");
      if (access != Access.AUTHENTICATED && !list.isEmpty()) {
        throw new IllegalArgumentException("scopes apply only to policy authenticated, not " + access.label());
      }
      try {
        scopes = Scopes.of(list);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("scopes: " + e.getMessage());
      }
    }
    Set<String> methods = null;
    if (r.getValue("methods") != null) {
      methods = new LinkedHashSet<>();
      for (String m : strings(r, "methods")) {
        if (!m.matches("[A-Za-z]{1,20}")) {
          throw new IllegalArgumentException("methods: \"" + m + "\" is not an HTTP method");
        }
        methods.add(m.toUpperCase(Locale.ROOT));
      }
      if (methods.isEmpty()) {
        throw new IllegalArgumentException("methods must not be empty (leave it out to match any method)");
      }
      methods = Set.copyOf(methods);
    }
    String host = null;
    if (r.getValue("host") != null) {
      host = text(r, "host").toLowerCase(Locale.ROOT);
      if (!host.matches("(\\*\\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw new IllegalArgumentException("host \"" + host + "\" must be a host name (no port), optionally starting with *.");
      }
    }
    PathGlob path = r.getValue("path") == null ? null : PathGlob.compile(text(r, "path"));
    return new PolicyRule(name, access, scopes, methods, host, path);
  }

  private static String describe(JsonObject r) {
    StringBuilder d = new StringBuilder();
    for (String field : List.of("methods", "host", "path")) {
      Object v = r.getValue(field);
      if (v != null) {
        d.append(d.length() == 0 ? " (" : " ").append(v instanceof JsonArray a ? String.join(",", a.stream().map(String::valueOf).toList()) : v);
      }
    }
    String text = d.length() == 0 ? "" : d.append(')').toString();
    return text.length() > 120 ? text.substring(0, 117) + "...)" : text;
  }

  private static String text(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (!(v instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException(field + " must be a non-empty string");
    }
    return s.trim();
  }

  private static List<String> strings(JsonObject o, String field) {
    Object v = o.getValue(field);
    if (!(v instanceof JsonArray a)) {
      throw new IllegalArgumentException(field + " must be a list of strings");
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object item : a) {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException(field + " must be a list of strings");
      }
      out.add(s);
    }
    return out;
  }

  private static boolean isYaml(String file) {
    String lower = file.toLowerCase(Locale.ROOT);
    return lower.endsWith(".yaml") || lower.endsWith(".yml");
  }

  @SuppressWarnings("unchecked")
  private static JsonObject yaml(Buffer content) {
    // SafeConstructor: plain maps, lists and scalars only, never arbitrary classes from the file.
    Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(content.toString());
    if (doc == null) {
      return new JsonObject();
    }
    return new JsonObject((Map<String, Object>) doc);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.strip().lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
