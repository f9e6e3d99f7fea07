package dev.rsm.persistence.testing;

import com.typesafe.config.Config;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A dedicated embedded PostgreSQL that a test can stop and start again on the same port and data
 * directory, to simulate a database outage.
 */
public final class StoppablePostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres pg;

  public StoppablePostgres() {
    try {
      this.dataDir = TestStores.tempDir("rsm-pg-");
      this.pg = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).start();
      this.port = pg.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Storage settings pointing at this server's {@code postgres} database. */
  public Config config() {
    return TestStores.postgresConfig(jdbcUrl("postgres"));
  }

  /** The JDBC URL of {@code database} on this server (user {@code postgres}, no password). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
  }

  public synchronized void stop() {
    try {
      if (pg != null) pg.close();
      pg = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized void start() {
    if (pg != null) return;
    try {
      pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir).setCleanDataDirectory(false).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stops the server and deletes its data directory (also deleted at JVM exit otherwise; deleting
   * it here, after the server has stopped, leaves nothing it writes while shutting down).
   */
  @Override
  public void close() {
    try {
      stop();
    } finally {
      TestStores.deleteTree(dataDir);
    }
  }
}
