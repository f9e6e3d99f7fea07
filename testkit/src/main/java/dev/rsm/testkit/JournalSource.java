package dev.rsm.testkit;

import com.typesafe.config.Config;
import dev.rsm.persistence.RsmConfig;
import dev.rsm.testkit.internal.JdbcJournal;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a recorded journal is read from: a database written by RSM (H2 or PostgreSQL, through
 * pekko-persistence-jdbc's {@code event_journal} table) or a file written by {@link JournalFile}.
 * Only machines' journals (persistence ids {@code rsm|<type>|<id>}) are listed.
 */
public interface JournalSource {

  /** The persistence ids of the machines in this journal, sorted. */
  List<String> persistenceIds();

  /** The events of one machine, in sequence-number order (deleted rows excluded). */
  List<JournalRow> rows(String persistenceId);

  /** The journal in the database at {@code url} (read-only; no schema is created). */
  static JournalSource jdbc(String url, String user, String password) {
    return new JdbcJournal(url, user, password);
  }

  /**
   * The journal of the database configured by {@code rsm.storage.jdbc} in {@code config} (layered
   * over {@code application.conf} and the defaults, like a node's configuration).
   */
  static JournalSource jdbc(Config config) {
    Config c = RsmConfig.load(config).getConfig("rsm.storage.jdbc");
    return jdbc(c.getString("url"), c.getString("user"), c.getString("password"));
  }

  /** A journal exported with {@link JournalFile#export}. */
  static JournalSource file(Path file) {
    return JournalFile.read(file);
  }
}
