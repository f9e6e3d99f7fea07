package dev.rsm.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh, empty H2 database in memory, for one test run: the journal and snapshot tables are
 * created by the runtime when it starts on it (as with any store). The database lives until {@link
 * #close()}: this object holds a connection open, and H2 drops an in-memory database when its last
 * connection closes.
 *
 * <pre>{@code
 * try (EmbeddedStore store = EmbeddedStore.create()) {
 *   ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "test", RsmConfig.load(store.config()));
 *   ...
 * }
 * }</pre>
 */
public final class EmbeddedStore implements AutoCloseable {
  private final String url;
  private final Connection keepAlive;

  private EmbeddedStore(String url, Connection keepAlive) {
    this.url = url;
    this.keepAlive = keepAlive;
  }

  /** Creates an empty in-memory H2 database with a unique name. */
  public static EmbeddedStore create() {
    String url = "jdbc:h2:mem:rsm-" + UUID.randomUUID();
    try {
      return new EmbeddedStore(url, DriverManager.getConnection(url, "sa", ""));
    } catch (SQLException e) {
      throw new IllegalStateException("could not create an in-memory H2 database: " + e.getMessage(), e);
    }
  }

  /** The {@code rsm.storage.jdbc} settings of this database; put them before anything else. */
  public Config config() {
    return ConfigFactory.parseMap(Map.of(
        "rsm.storage.jdbc.url", url,
        "rsm.storage.jdbc.user", "sa",
        "rsm.storage.jdbc.password", "",
        "rsm.storage.jdbc.driver", "org.h2.Driver",
        "rsm.storage.jdbc.profile", "slick.jdbc.H2Profile$",
        "rsm.storage.create-schema", "on"));
  }

  /** This database's journal, to read, check or export. */
  public JournalSource journal() {
    return JournalSource.jdbc(url, "sa", "");
  }

  public String url() {
    return url;
  }

  /** Drops the database (once the runtime using it has stopped). */
  @Override
  public void close() {
    try {
      keepAlive.close();
    } catch (SQLException ignored) {
      // nothing left to release
    }
  }
}
