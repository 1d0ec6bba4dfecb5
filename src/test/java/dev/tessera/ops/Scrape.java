package dev.tessera.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The samples of a Prometheus text-format (0.0.4) scrape, parsed with the format's escaping rules so
 * label values can be inspected exactly as Prometheus would store them. Validation of the format itself
 * is promtool's job; this only reads.
 */
record Scrape(List<Sample> samples) {
  record Sample(String name, Map<String, String> labels, String value) {
  }

  static Scrape parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(sample(line));
    }
    return new Scrape(samples);
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).strip();
        if (line.charAt(eq + 1) != '"') {
          throw new IllegalArgumentException("unquoted label value in: " + line);
        }
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char n = line.charAt(++j);
            value.append(n == 'n' ? '\n' : n);
          } else {
            value.append(c);
          }
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    String value = line.substring(i).strip().split(" ")[0];
    return new Sample(name, labels, value);
  }

  List<Sample> named(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  Set<String> names() {
    return samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every label name used by samples of {@code name}. */
  Set<String> labelNames(String name) {
    return named(name).stream().flatMap(s -> s.labels().keySet().stream()).collect(Collectors.toCollection(TreeSet::new));
  }

  Set<String> labelValues(String name, String label) {
    return named(name).stream().map(s -> s.labels().get(label)).filter(v -> v != null)
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
