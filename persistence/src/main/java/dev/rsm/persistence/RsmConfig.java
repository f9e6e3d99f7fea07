package dev.rsm.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.Map;

/**
 * Loads configuration so that overrides reach derived settings. The pekko-persistence-jdbc
 * database settings are substitutions of {@code rsm.storage.jdbc.*}; layering an override on top of
 * an already resolved {@code ConfigFactory.load()} would leave them pointing at the old values.
 */
public final class RsmConfig {
  private RsmConfig() {}

  /**
   * System properties, then {@code overrides}, then {@code application.conf} (or the file named by {@code -Dconfig.file}), then every {@code
   * reference.conf}; resolved once, at the end.
   *
   * <p>RSM's own {@code reference.conf} files (those that set something under {@code rsm}) come
   * before the other libraries': they set Pekko keys that Pekko's own files set too ({@code
   * pekko.actor.provider = cluster}, remembered entities, the journal plugin), and which of two
   * files wins would otherwise depend on the order of the jars on the class path, which a user's
   * build decides (a project that lists {@code rsm-actors} before {@code rsm-app} gets Pekko's).
   *
   * <p>An embedded H2 file URL in {@code rsm.storage.jdbc.url} that does not set {@code
   * WRITE_DELAY} gets {@code ;WRITE_DELAY=0} appended while {@code rsm.storage.h2.write-delay-zero}
   * is on (the default), whichever layer set the URL: H2 otherwise writes commits to its file up to
   * 500 ms after they return, and a killed process loses steps already acknowledged.
   */
  public static Config load(Config overrides) {
    Config unresolved = ConfigFactory.defaultOverrides()
        .withFallback(overrides)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(rsmReferences())
        .withFallback(ConfigFactory.defaultReferenceUnresolved());
    Config resolved = unresolved.resolve();
    String url = resolved.getString("rsm.storage.jdbc.url");
    String safe = StoreDurability.safeUrl(resolved, url);
    if (safe.equals(url)) return resolved;
    // Above the system properties too, so that the settings derived from the URL see the safe one.
    return ConfigFactory.parseMap(Map.of("rsm.storage.jdbc.url", safe)).withFallback(unresolved).resolve();
  }

  /** RSM's {@code reference.conf} files, unresolved, in class path order. */
  private static Config rsmReferences() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) loader = RsmConfig.class.getClassLoader();
    Config rsm = ConfigFactory.empty();
    try {
      for (URL url : Collections.list(loader.getResources("reference.conf"))) {
        Config file = ConfigFactory.parseURL(url);
        if (file.hasPath("rsm")) rsm = rsm.withFallback(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not list reference.conf on the class path", e);
    }
    return rsm;
  }
}
