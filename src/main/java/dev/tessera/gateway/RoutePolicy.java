package dev.tessera.gateway;

import dev.tessera.domain.Scopes;

import java.util.List;

/**
 * The route policy of DESIGN.md §8: the first rule that matches the original method, host and path
 * decides, else the default. Immutable; a reload swaps in a new instance.
 */
public final class RoutePolicy {
  /** No policy file: every route needs a valid token, as before route policy existed. */
  public static final RoutePolicy TOKEN_REQUIRED = new RoutePolicy(Access.AUTHENTICATED, List.of());

  /**
   * A path that was given but cannot be read safely (bad escapes, control characters) could be meant to
   * slip past a path rule: refused outright whenever the policy has path rules.
   */
  static final PolicyRule UNREADABLE_PATH = new PolicyRule("unreadable path", Access.DENY, Scopes.NONE, null, null, null);

  private final PolicyRule fallback;
  private final List<PolicyRule> rules;
  private final boolean pathRules;

  RoutePolicy(Access fallback, List<PolicyRule> rules) {
    this.fallback = new PolicyRule("default", fallback, Scopes.NONE, null, null, null);
    this.rules = List.copyOf(rules);
    this.pathRules = rules.stream().anyMatch(r -> r.path() != null);
  }

  /** The rule deciding {@code request}. An unknown path (the gateway did not say) matches no path rule. */
  PolicyRule match(OriginalRequest request) {
    if (rules.isEmpty()) {
      return fallback;
    }
    PolicyRule.PathHolder path = new PolicyRule.PathHolder();
    if (pathRules && request.rawPath() != null && path.get(request) == null) {
      return UNREADABLE_PATH;
    }
    for (PolicyRule rule : rules) {
      if (rule.matches(request, path)) {
        return rule;
      }
    }
    return fallback;
  }

  int size() {
    return rules.size();
  }

  Access fallback() {
    return fallback.access();
  }
}
