package dev.rsm.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

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
   */
  public static Config load(Config overrides) {
    return ConfigFactory.load(overrides.withFallback(ConfigFactory.defaultApplication()));
  }
}
