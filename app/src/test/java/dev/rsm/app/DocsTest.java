package dev.rsm.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation cannot drift from the code: every {@code ```java} block of README.md and
 * docs/*.md is an excerpt of a compiled source of the build (the samples under {@code
 * app/src/.../sample}, which their tests run, or a test), and every relative link resolves.
 *
 * <p>An excerpt matches line by line, ignoring indentation and blank lines; a line {@code // ...}
 * in a block stands for lines left out, so a block may show the parts of a file that matter, in
 * the file's order.
 */
class DocsTest {
  static final Path ROOT = root();
  static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```");
  static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  static final String ELISION = "// ...";

  @Test
  void everyJavaBlockInTheDocsIsAnExcerptOfACompiledSource() {
    Map<Path, List<String>> sources = javaSources();
    List<String> missing = new ArrayList<>();
    int blocks = 0;
    for (Path doc : docs()) {
      Matcher m = JAVA_BLOCK.matcher(read(doc));
      while (m.find()) {
        blocks++;
        List<List<String>> parts = parts(m.group(1));
        if (sources.values().stream().noneMatch(src -> containsInOrder(src, parts)))
          missing.add(ROOT.relativize(doc) + ", block starting \"" + parts.get(0).get(0) + "\"");
      }
    }
    assertTrue(blocks >= 5, "found only " + blocks + " java blocks");
    assertEquals(List.of(), missing, "java blocks that are not excerpts of a source file");
  }

  @Test
  void everyRelativeLinkResolves() {
    List<String> broken = new ArrayList<>();
    Map<Path, List<String>> anchors = new HashMap<>();
    for (Path doc : docs()) {
      Matcher m = LINK.matcher(withoutCodeBlocks(read(doc)));
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) continue; // https:, mailto:
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(ROOT.relativize(doc) + " -> " + target);
        } else if (hash >= 0 && resolved.toString().endsWith(".md")) {
          String anchor = target.substring(hash + 1);
          if (!anchors.computeIfAbsent(resolved, DocsTest::anchorsOf).contains(anchor))
            broken.add(ROOT.relativize(doc) + " -> " + target + " (no such heading)");
        }
      }
    }
    assertEquals(List.of(), broken, "links that do not resolve");
  }

  static List<Path> docs() {
    List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CHANGELOG.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  static Map<Path, List<String>> javaSources() {
    Map<Path, List<String>> sources = new HashMap<>();
    try (Stream<Path> files = Files.walk(ROOT)) {
      files.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/src/") && !p.toString().contains("/target/"))
          .forEach(p -> sources.put(p, normalized(read(p))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }

  /** The block's lines between elisions. */
  static List<List<String>> parts(String block) {
    List<List<String>> parts = new ArrayList<>();
    List<String> part = new ArrayList<>();
    for (String line : normalized(block)) {
      if (line.equals(ELISION)) {
        if (!part.isEmpty()) parts.add(part);
        part = new ArrayList<>();
      } else {
        part.add(line);
      }
    }
    if (!part.isEmpty()) parts.add(part);
    return parts;
  }

  static boolean containsInOrder(List<String> source, List<List<String>> parts) {
    int from = 0;
    for (List<String> part : parts) {
      int at = indexOf(source, part, from);
      if (at < 0) return false;
      from = at + part.size();
    }
    return true;
  }

  static int indexOf(List<String> source, List<String> part, int from) {
    for (int i = from; i + part.size() <= source.size(); i++)
      if (source.subList(i, i + part.size()).equals(part)) return i;
    return -1;
  }

  static List<String> normalized(String text) {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  static String withoutCodeBlocks(String markdown) {
    return markdown.replaceAll("(?ms)^\\s*```.*?^\\s*```", "");
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  static List<String> anchorsOf(Path doc) {
    return withoutCodeBlocks(read(doc)).lines()
        .filter(l -> l.startsWith("#"))
        .map(l -> l.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
        .toList();
  }

  static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !(Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs"))))
      dir = dir.getParent();
    if (dir == null) throw new IllegalStateException("no README.md and docs/ above " + Path.of("").toAbsolutePath());
    return dir;
  }
}
