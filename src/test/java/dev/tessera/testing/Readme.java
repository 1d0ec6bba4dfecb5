package dev.tessera.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The project README, read the way its examples are meant to be used: by section, block by block. */
public final class Readme {
  private static final Path FILE = Path.of("README.md");

  private final String text;

  private Readme(String text) {
    this.text = text;
  }

  public static Readme read() {
    try {
      return new Readme(Files.readString(FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String text() {
    return text;
  }

  /** From the heading line (e.g. {@code "## Walk-through"}) to the next heading of that level or above. */
  public Readme section(String heading) {
    int start = text.indexOf("\n" + heading + "\n");
    if (start < 0) {
      throw new AssertionError("README has no section " + heading);
    }
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int end = text.length();
    for (String higher = level; higher.length() > 2; higher = higher.substring(1)) {
      int next = text.indexOf("\n" + higher, start + heading.length() + 2);
      if (next >= 0 && next < end) {
        end = next;
      }
    }
    return new Readme(text.substring(start, end));
  }

  /** The bodies of the fenced code blocks of {@code language} ({@code sh}, {@code yaml}), in order. */
  public List<String> blocks(String language) {
    List<String> blocks = new ArrayList<>();
    Matcher m = Pattern.compile("```" + Pattern.quote(language) + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
    while (m.find()) {
      blocks.add(m.group(1));
    }
    return blocks;
  }
}
