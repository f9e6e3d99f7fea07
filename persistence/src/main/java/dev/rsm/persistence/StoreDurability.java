package dev.rsm.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the configured store does with an acknowledged step, checked when a node starts (by
 * {@link JdbcSchema#ensure}) and logged: a WARN for each setting that lets the store lose a step
 * after RSM has acknowledged it, one INFO line otherwise. The faults each store survives are in
 * {@code docs/durability.md}.
 *
 * <ul>
 *   <li>Embedded H2: {@code WRITE_DELAY} in the URL (see {@code rsm.storage.h2.write-delay-zero},
 *       which {@link RsmConfig#load} applies by appending {@code ;WRITE_DELAY=0}) and {@code
 *       rsm.storage.h2.fsync}.
 *   <li>PostgreSQL: {@code synchronous_commit}, {@code fsync} and {@code full_page_writes}, as the
 *       server reports them to a session opened with the configured URL and user ({@code SHOW}),
 *       so per-database and per-role settings count.
 * </ul>
 */
public final class StoreDurability {
  private static final Logger LOG = LoggerFactory.getLogger(StoreDurability.class);

  /** H2's write delay when the URL does not set one (org.h2.engine.Constants.DEFAULT_WRITE_DELAY). */
  static final int H2_DEFAULT_WRITE_DELAY_MS = 500;

  private StoreDurability() {}

  /**
   * The URL with {@code ;WRITE_DELAY=0} appended if it is an embedded H2 file database that does
   * not set WRITE_DELAY and {@code rsm.storage.h2.write-delay-zero} is on; otherwise {@code url}.
   */
  static String safeUrl(Config config, String url) {
    if (!config.getBoolean("rsm.storage.h2.write-delay-zero")) return url;
    if (!isEmbeddedH2File(url) || h2UrlSetting(url, "WRITE_DELAY").isPresent()) return url;
    return url + ";WRITE_DELAY=0";
  }

  /**
   * An H2 URL whose database lives in a file opened by this JVM: not in memory, not on an H2
   * server ({@code tcp:}, {@code ssl:}, which owns the file and its settings), not read-only
   * ({@code zip:}).
   */
  public static boolean isEmbeddedH2File(String url) {
    if (!url.startsWith("jdbc:h2:")) return false;
    String name = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
    for (String notAFile : List.of("mem:", "tcp:", "ssl:", "zip:", "memfs:", "memlzf:", "niomemfs:", "niomemlzf:"))
      if (name.startsWith(notAFile)) return false;
    return !name.equals(".");
  }

  /** The value of an H2 URL setting ({@code ;NAME=value}, name case-insensitive), if present. */
  static Optional<String> h2UrlSetting(String url, String name) {
    String[] parts = url.split(";");
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq > 0 && parts[i].substring(0, eq).trim().equalsIgnoreCase(name))
        return Optional.of(parts[i].substring(eq + 1).trim());
    }
    return Optional.empty();
  }

  /**
   * Checks the store configured under {@code rsm.storage} and logs what it guarantees. Never
   * fails the start-up: a store that cannot be reached is reported at WARN and left to the
   * journal's own retries.
   */
  public static void check(Config config) {
    Config c = config.getConfig("rsm.storage");
    String url = c.getString("jdbc.url");
    boolean fsync = c.getBoolean("h2.fsync");
    if (url.startsWith("jdbc:h2:")) {
      if (isEmbeddedH2File(url)) checkH2(c, url, fsync);
      else if (fsync) LOG.warn("rsm.storage.h2.fsync = on has no effect on {}: it applies to an embedded H2 file "
          + "database only", redact(url));
      return;
    }
    if (fsync) LOG.warn("rsm.storage.h2.fsync = on has no effect on {}: it applies to embedded H2 only", redact(url));
    if (url.startsWith("jdbc:postgresql:")) checkPostgres(c, url);
  }

  private static void checkH2(Config c, String url, boolean fsync) {
    Optional<String> setting = h2UrlSetting(url, "WRITE_DELAY");
    String delay = setting.map(v -> v + " ms after they return (WRITE_DELAY=" + v + ")")
        .orElse(H2_DEFAULT_WRITE_DELAY_MS + " ms after they return (WRITE_DELAY not set: H2's default)");
    boolean writesAtCommit = setting.map(v -> v.equals("0")).orElse(false);
    String where = "H2 at " + redact(url);
    if (fsync) {
      LOG.info("{}: every journal write is forced to disk before it completes (rsm.storage.h2.fsync = on): "
          + "acknowledged steps survive a kill of the node, an OS crash and a power loss", where);
    } else if (writesAtCommit) {
      LOG.info("{}: each commit is written to the file before it returns (WRITE_DELAY=0) but not forced to disk "
          + "(rsm.storage.h2.fsync = off): acknowledged steps survive a kill of the node, not an OS crash or a "
          + "power loss", where);
    } else if (c.getBoolean("h2.write-delay-zero")) {
      LOG.warn("{} writes commits to its file up to {}: a node killed in that window (kill -9, the OOM killer, "
          + "a JVM crash) loses steps it has already acknowledged, and their replies, sends and acknowledgements "
          + "are out. Remove WRITE_DELAY from rsm.storage.jdbc.url (RSM then sets WRITE_DELAY=0), or set "
          + "rsm.storage.h2.write-delay-zero = off to accept the risk", where, delay);
    } else {
      LOG.info("{}: commits are written to the file up to {} (rsm.storage.h2.write-delay-zero = off): a kill of "
          + "the node can lose acknowledged steps", where, delay);
    }
  }

  private static void checkPostgres(Config c, String url) {
    List<String> warnings;
    String summary;
    try (Connection conn = DriverManager.getConnection(url, c.getString("jdbc.user"), c.getString("jdbc.password"));
        Statement st = conn.createStatement()) {
      String synchronousCommit = show(st, "synchronous_commit");
      String fsync = show(st, "fsync");
      String fullPageWrites = show(st, "full_page_writes");
      String standbys = show(st, "synchronous_standby_names");
      warnings = postgresWarnings(synchronousCommit, fsync, fullPageWrites);
      summary = "synchronous_commit = " + synchronousCommit + ", fsync = " + fsync + ", full_page_writes = "
          + fullPageWrites + ", synchronous_standby_names = '" + standbys + "'";
    } catch (SQLException e) {
      LOG.warn("could not check the durability settings of PostgreSQL at {}: {}", redact(url), e.getMessage());
      return;
    }
    String where = "PostgreSQL at " + redact(url);
    for (String w : warnings) LOG.warn("{}: {}", where, w);
    if (warnings.isEmpty())
      LOG.info("{}: {}: a step is acknowledged only after its commit is flushed to the server's disk", where, summary);
  }

  /** The warnings for these server settings (values as {@code SHOW} prints them). */
  static List<String> postgresWarnings(String synchronousCommit, String fsync, String fullPageWrites) {
    List<String> warnings = new ArrayList<>();
    if (synchronousCommit.equals("off"))
      warnings.add("synchronous_commit = off: a commit returns before its WAL record is flushed to disk, so a "
          + "crash of the PostgreSQL server, of its OS or a power loss loses the steps committed in the last moments "
          + "(up to 3 x wal_writer_delay, 600 ms by default) although RSM has acknowledged them and sent their "
          + "replies, sends and acknowledgements. Set synchronous_commit = on (server, database or role)");
    if (fsync.equals("off"))
      warnings.add("fsync = off: PostgreSQL never forces its writes to disk, so an OS crash or a power loss can "
          + "lose acknowledged steps and leave the database corrupt. Set fsync = on");
    if (fullPageWrites.equals("off"))
      warnings.add("full_page_writes = off: a page torn by an OS crash or a power loss cannot be repaired from the "
          + "WAL, and the database can be left corrupt. Set full_page_writes = on");
    return warnings;
  }

  private static String show(Statement st, String setting) throws SQLException {
    try (ResultSet rs = st.executeQuery("SHOW " + setting)) {
      return rs.next() ? rs.getString(1) : "";
    }
  }

  /** The URL with any password in it replaced by {@code ***}, for logs. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
