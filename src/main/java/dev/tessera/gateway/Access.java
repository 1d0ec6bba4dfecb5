package dev.tessera.gateway;

/** What a route policy rule demands of a request (DESIGN.md §8 {@code policy}). */
public enum Access {
  /** A valid access token holding the rule's scopes (and the gateway's). */
  AUTHENTICATED("authenticated"),
  /** No token needed; a valid token still yields the identity headers. */
  ANONYMOUS("anonymous"),
  /** Refused whatever the token. */
  DENY("deny");

  private final String label;

  Access(String label) {
    this.label = label;
  }

  /** The policy file's word for it, also the metrics label. */
  public String label() {
    return label;
  }

  static Access parse(String word) {
    for (Access a : values()) {
      if (a.label.equals(word)) {
        return a;
      }
    }
    throw new IllegalArgumentException("policy must be authenticated, anonymous or deny, is \"" + word + "\"");
  }
}
