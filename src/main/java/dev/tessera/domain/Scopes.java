package dev.tessera.domain;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A set of OAuth scope tokens (RFC 6749 §3.3). Instances are interned: millions of cached tokens
 * share a handful of scope sets, so each cache entry holds a reference, not its own strings.
 */
public final class Scopes {
  /** RFC 6749 §3.3 scope-token: %x21 / %x23-5B / %x5D-7E. */
  private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,64}");
  private static final int MAX_SCOPES = 64;
  private static final ConcurrentHashMap<String, Scopes> INTERNED = new ConcurrentHashMap<>();
  public static final Scopes NONE = of(List.of());

  private final List<String> values;
  private final String text;

  private Scopes(List<String> values, String text) {
    this.values = values;
    this.text = text;
  }

  /**
   * Parses a space-separated scope parameter; throws {@link IllegalArgumentException} on bad syntax.
   * The result is not interned: it is request input (the token endpoint's {@code scope}, the verify
   * route's required scopes), and anyone could otherwise grow the intern table without limit by sending
   * made-up scope sets. Scopes read back from the database are interned by {@link #of}.
   */
  public static Scopes parse(String spaceSeparated) {
    if (spaceSeparated == null || spaceSeparated.chars().allMatch(c -> c == ' ')) {
      return NONE;
    }
    // Only spaces separate scope tokens (RFC 6749 §3.3); any other character, control characters at the
    // ends included, is part of a token and must pass validation.
    String[] tokens = spaceSeparated.split(" +");
    List<String> present = Arrays.stream(tokens).filter(t -> !t.isEmpty()).toList();
    TreeSet<String> sorted = validated(present);
    return new Scopes(List.copyOf(sorted), String.join(" ", sorted));
  }

  public static Scopes of(Collection<String> scopes) {
    // Scope arrays read back from the database were stored in this canonical form (sorted, distinct, valid), so
    // on every cache miss their plain join is already a key here: no regex, no sorting. Only a list equal to
    // the canonical one takes this path (["a b"] joins like ["a", "b"]; a null element joins as "null").
    Scopes known = scopes instanceof List<?> ? INTERNED.get(String.join(" ", scopes)) : null;
    if (known != null && known.values.equals(scopes)) {
      return known;
    }
    TreeSet<String> sorted = validated(scopes);
    String text = String.join(" ", sorted);
    Scopes existing = INTERNED.get(text);
    if (existing != null) {
      return existing;
    }
    // Bounded by the scope sets actually stored (configured by admins, or granted after being checked
    // against what the client may have); raw request input goes through parse, which does not intern.
    return INTERNED.computeIfAbsent(text, t -> new Scopes(List.copyOf(sorted), t));
  }

  private static TreeSet<String> validated(Collection<String> scopes) {
    TreeSet<String> sorted = new TreeSet<>();
    for (String s : scopes) {
      if (s == null || !SCOPE_TOKEN.matcher(s).matches()) {
        throw new IllegalArgumentException("invalid scope token");
      }
      sorted.add(s);
    }
    if (sorted.size() > MAX_SCOPES) {
      throw new IllegalArgumentException("too many scopes (at most " + MAX_SCOPES + ")");
    }
    return sorted;
  }

  public boolean containsAll(Scopes other) {
    return values.containsAll(other.values);
  }

  public boolean contains(String scope) {
    return values.contains(scope);
  }

  public Scopes intersect(Scopes other) {
    return of(values.stream().filter(other.values::contains).toList());
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }

  public List<String> values() {
    return values;
  }

  public String[] toArray() {
    return values.toArray(String[]::new);
  }

  /** The RFC 6749 wire form: space-separated. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Scopes s && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
