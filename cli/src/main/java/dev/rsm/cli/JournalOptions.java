package dev.rsm.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.rsm.testkit.JournalSource;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a journal is read from: a database by JDBC URL, or the database a node's configuration
 * file names ({@code rsm.storage.jdbc}, layered over the defaults as the node layers it).
 */
final class JournalOptions {
  @Option(names = "--jdbc-url", paramLabel = "URL",
      description = "The journal's database, e.g. jdbc:postgresql://db:5432/rsm or jdbc:h2:file:./data/rsm.")
  String jdbcUrl;

  @Option(names = "--user", paramLabel = "USER", defaultValue = "${env:RSM_DB_USER:-}",
      description = "The database user (with --jdbc-url). Default: $RSM_DB_USER, else none.")
  String user;

  @Option(names = "--password", paramLabel = "PASSWORD", defaultValue = "${env:RSM_DB_PASSWORD:-}",
      description = "The database password (with --jdbc-url). Default: $RSM_DB_PASSWORD, else none; "
          + "prefer the variable, a command line is visible to other users.")
  String password;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A node's configuration file (HOCON, as given to the node with -Dconfig.file): "
          + "its rsm.storage.jdbc settings name the database.")
  Path config;

  /** Whether any database option was given. */
  boolean given() {
    return jdbcUrl != null || config != null;
  }

  /** The journal these options name; a usage error when they name none or two. */
  JournalSource source() {
    if (jdbcUrl != null && config != null)
      throw new Rsm.UsageError("give --jdbc-url or --config, not both");
    if (jdbcUrl != null) return JournalSource.jdbc(jdbcUrl, user, password);
    if (config == null) throw new Rsm.UsageError("name the journal's database: --jdbc-url URL or --config node.conf");
    if (!Files.isReadable(config)) throw new Rsm.UsageError("--config: cannot read " + config);
    try {
      return JournalSource.jdbc(ConfigFactory.parseFile(config.toFile()));
    } catch (ConfigException e) {
      throw new Rsm.UsageError("--config " + config + ": " + e.getMessage());
    }
  }
}
