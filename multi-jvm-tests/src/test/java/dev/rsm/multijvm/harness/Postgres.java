package dev.rsm.multijvm.harness;

import dev.rsm.persistence.testing.TestStores;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The one embedded PostgreSQL server of this test JVM, started on first use; every scenario gets a
 * fresh database on it ({@link Database.PostgresDatabase}). It can be stopped cleanly ({@link
 * #stop}) or killed ({@link #kill}), and started again on the same port and data directory.
 *
 * <p>Commits are synchronous ({@code synchronous_commit = on}, PostgreSQL's default; the embedded
 * server's builder turns it off for speed). With it off, a commit is acknowledged before its WAL
 * record leaves the server's memory, so killing the server loses the last acknowledged commits by
 * PostgreSQL's own contract, and the kill scenario would test that setting instead of RSM. fsync
 * stays off ({@code -F}): it guards against losing the machine, not the process, and no test here
 * loses the machine.
 */
public final class Postgres {
  private static Postgres server;

  private final Path dataDir = TestStores.tempDir("rsm-multi-jvm-pg-");
  private int port;
  private EmbeddedPostgres pg;

  private Postgres() {
    start();
  }

  public static synchronized Postgres server() {
    if (server == null) {
      server = new Postgres();
      Postgres s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-embedded-postgres"));
    }
    return server;
  }

  /** The server's port (kept across restarts). */
  public int port() {
    return port;
  }

  /** The JDBC URL of {@code database} on this server (user {@code postgres}, no password). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://localhost:" + port + "/" + database + "?user=postgres";
  }

  /** Starts the server on its port and data directory, unless it runs; after a kill, it recovers from its WAL. */
  public synchronized void start() {
    if (pg != null) return;
    try {
      pg = EmbeddedPostgres.builder()
          .setPort(port) // 0 the first time: a free one, kept afterwards
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setServerConfig("synchronous_commit", "on")
          .start();
      port = pg.getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A clean stop ({@code pg_ctl stop -m fast}): connections are closed, the server checkpoints and exits. */
  public synchronized void stop() {
    try {
      if (pg != null) pg.close();
      pg = null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code kill -9} of the postmaster, whose pid is the first line of {@code postmaster.pid} in the
   * data directory: no checkpoint, no clean shutdown. Its children (backends, WAL writer,
   * checkpointer) notice that it died and exit; any that have not within ten seconds are killed
   * too, since a new server refuses the data directory while one of them still holds the shared
   * memory. Returns the postmaster's pid.
   */
  public synchronized long kill() {
    if (pg == null) throw new IllegalStateException("the server is not running");
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ProcessHandle postmaster = ProcessHandle.of(pid)
        .orElseThrow(() -> new IllegalStateException("no process " + pid + " (postmaster.pid)"));
    List<ProcessHandle> children = postmaster.descendants().toList();
    postmaster.destroyForcibly(); // SIGKILL
    Waits.await("the postmaster (pid " + pid + ") to exit", Duration.ofSeconds(10)).until(postmaster::isAlive, alive -> !alive);
    try {
      Waits.await("the postmaster's children to exit", Duration.ofSeconds(10))
        .until(() -> children.stream().filter(ProcessHandle::isAlive).count(), n -> n == 0);
    } catch (ConditionTimeoutException e) {
      children.forEach(ProcessHandle::destroyForcibly);
    }
    // Releases the embedded server's lock on the data directory; its pg_ctl stop finds no server
    // (and logs that it could not stop it).
    try {
      pg.close();
    } catch (IOException ignored) {
      // nothing to stop
    }
    pg = null;
    return pid;
  }

  /** Stops the server and deletes its data directory. */
  private void close() {
    try {
      stop();
    } finally {
      if (Files.exists(dataDir))
        try (var paths = Files.walk(dataDir)) {
          paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
          // deleted at exit by TestStores otherwise
        }
    }
  }
}
