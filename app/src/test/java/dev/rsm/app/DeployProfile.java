package dev.rsm.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A profile of {@code config/} as a node in a container would load it: the file with its includes,
 * over every {@code reference.conf}, its {@code ${?VAR}} substitutions taken from the environment a
 * deployment file gives it (and from nowhere else, so this machine's environment does not leak in).
 */
final class DeployProfile {
  private static final Pattern ENV_VAR = Pattern.compile("\\$\\{\\?([A-Z][A-Z0-9_]*)}");

  private DeployProfile() {}

  /** {@code config/<file>} resolved with exactly {@code env} as the environment. */
  static Config load(Path root, String file, Map<String, String> env) {
    Path path = root.resolve("config").resolve(file);
    if (!Files.isRegularFile(path)) throw new AssertionError("no profile " + path);
    // Variables at the root: a ${?RSM_X} substitution finds them as the path RSM_X.
    return ConfigFactory.parseMap(env)
        .withFallback(ConfigFactory.parseFile(path.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)))
        .withFallback(ConfigFactory.parseResources("reference.conf"))
        .resolve(ConfigResolveOptions.noSystem());
  }

  /** Every environment variable a profile in {@code config/} or the node's application.conf reads. */
  static Set<String> variablesRead(Path root) {
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.list(root.resolve("config"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".conf")).toList()) names.addAll(variablesIn(f));
      names.addAll(variablesIn(root.resolve("app/src/main/resources/application.conf")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  private static Set<String> variablesIn(Path file) throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m = ENV_VAR.matcher(Files.readString(file));
    while (m.find()) names.add(m.group(1));
    return names;
  }
}
